import { z } from 'zod';

/** W3C trace context carried inside every job, so one trace spans webhook → render → sync. */
export const TraceCarrier = z.record(z.string(), z.string());
export type TraceCarrier = z.infer<typeof TraceCarrier>;

/** Why a piece of work exists: who or what asked for it. Never holds a secret. */
export const Trigger = z.object({
  kind: z.enum(['webhook', 'reconcile', 'manual', 'rollback', 'self-heal']),
  provider: z.string().optional(),
  deliveryId: z.string().optional(),
  actor: z.string().optional(),
  receivedAt: z.string().optional(),
});
export type Trigger = z.infer<typeof Trigger>;

/**
 * An explicit sync operation (an operator's `sync` control request): it applies even when the Application is not
 * automated, exactly once, with Argo CD's options. `force` and `syncOptions` are handed to the apply path as they are.
 */
export const SyncOperation = z.object({
  /** Unique per request: the asker recognises the sync job that carried out its operation. */
  id: z.string().min(1),
  prune: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  force: z.boolean().default(false),
  /** Only these resources (`group:kind:name` or `group:kind:namespace/name`); absent: all of them. */
  resources: z.array(z.string().min(1)).optional(),
  /** Argo CD sync options for this operation only, e.g. `Replace=true`. */
  syncOptions: z.array(z.string().min(1)).default([]),
  actor: z.string().optional(),
});
export type SyncOperation = z.infer<typeof SyncOperation>;

export const RenderJob = z.object({
  app: z.string().min(1),
  repoURL: z.string().min(1),
  /** Exact commit SHA to render. */
  revision: z.string().min(1),
  /** The branch or tag the app follows (the Application's targetRevision). */
  targetRevision: z.string(),
  trigger: Trigger,
  trace: TraceCarrier.default({}),
  /** Set for an operator's sync request: the renderer renders exactly `revision` and hands the operation on. */
  operation: SyncOperation.optional(),
  /** Fingerprint of the app's image override (write-back-method argocd) when it changed: a render of the same commit is new work. */
  imageOverride: z.string().optional(),
});
export type RenderJob = z.infer<typeof RenderJob>;

export const SyncJob = z.object({
  app: z.string().min(1),
  revision: z.string().min(1),
  /** Redis key of the rendered bundle (see keys.bundle). Manifests never travel in the payload. */
  bundleKey: z.string().min(1),
  trigger: Trigger,
  trace: TraceCarrier.default({}),
  /** Set for an operator's sync request; without it a non-automated Application is only compared, never applied. */
  operation: SyncOperation.optional(),
  /** Retries of this failed sync so far (`syncPolicy.retry`); set by the syncer when it schedules one. */
  retryAttempt: z.number().int().nonnegative().optional(),
  /** Attempts so far that failed on cluster or Redis trouble (level-triggered: retried with capped backoff until applied). */
  outageAttempt: z.number().int().nonnegative().optional(),
});
export type SyncJob = z.infer<typeof SyncJob>;

/** An operator's request to the syncer, awaited by the asker (CLI, API): diff, rollback, resume, sync, terminate, confirm-prune, resource-tree, events. */
export const ControlJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('diff'), app: z.string().min(1), revision: z.string().optional(), trace: TraceCarrier.default({}) }),
  z.object({
    kind: z.literal('rollback'), app: z.string().min(1),
    /** A revision from the app's history; default: the one before the current. */
    revision: z.string().optional(), actor: z.string().optional(), trace: TraceCarrier.default({}),
  }),
  z.object({ kind: z.literal('resume'), app: z.string().min(1), actor: z.string().optional(), trace: TraceCarrier.default({}) }),
  /** A sync operation with Argo CD's options (`argocd app sync`); manual apps sync only through this. */
  z.object({
    kind: z.literal('sync'), app: z.string().min(1),
    /** Commit SHA, branch or tag; default: the app's targetRevision head. */
    revision: z.string().optional(),
    prune: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    force: z.boolean().default(false),
    /** Only these resources, each `group:kind:name` or `group:kind:namespace/name` (group empty for core). */
    resources: z.array(z.string().min(1)).optional(),
    /** Argo CD sync options for this operation, e.g. `Replace=true`, `ServerSideApply=true`. */
    syncOptions: z.array(z.string().min(1)).default([]),
    actor: z.string().optional(), trace: TraceCarrier.default({}),
  }),
  /** Terminate the app's running sync operation (`argocd app terminate-op`). */
  z.object({ kind: z.literal('terminate'), app: z.string().min(1), actor: z.string().optional(), trace: TraceCarrier.default({}) }),
  /** Confirm the pending `Prune=confirm` / `Delete=confirm` deletions of an app's current sync. */
  z.object({ kind: z.literal('confirm-prune'), app: z.string().min(1), actor: z.string().optional(), trace: TraceCarrier.default({}) }),
  /** The live children of the app's objects (ReplicaSets and Pods of a Deployment, …) found by their ownerReferences. */
  z.object({ kind: z.literal('resource-tree'), app: z.string().min(1), trace: TraceCarrier.default({}) }),
  /** Kubernetes Events of the app's objects and their children, or of one of them (Argo CD's `resourceName` …). */
  z.object({
    kind: z.literal('events'), app: z.string().min(1),
    resourceName: z.string().min(1).max(253).optional(), resourceNamespace: z.string().max(63).optional(), resourceUID: z.string().max(64).optional(),
    trace: TraceCarrier.default({}),
  }),
]);
export type ControlJob = z.infer<typeof ControlJob>;

/** A new tag (or digest) of an image pushed to a registry, for one image policy that watches the image's repository. */
export const ImageJob = z.object({
  /** The policy's id (`imagePolicyId`), looked up again in the promoter's configuration: no policy travels here. */
  policy: z.string().min(1),
  /** The Application the policy updates. */
  app: z.string().min(1),
  /** `registry-host/repository`, without tag or digest, as the registry notification named it. */
  image: z.string().min(1),
  tag: z.string().min(1).max(128).optional(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
  /** Which receiver delivered it (`docker-distribution`, `harbor`, …) and its delivery id. */
  source: z.object({ provider: z.string().min(1), deliveryId: z.string().min(1), receivedAt: z.string().min(1) }),
  trace: TraceCarrier.default({}),
});
export type ImageJob = z.infer<typeof ImageJob>;

/** The commit a branch, tag or `HEAD` of a repository points at, asked of the renderer (which holds Git credentials). */
export const HeadsJob = z.object({
  repoURL: z.string().min(1),
  /** Branch, tag, `HEAD` or a full commit SHA (answered as it is). */
  targetRevision: z.string().default('HEAD'),
  trace: TraceCarrier.default({}),
});
export type HeadsJob = z.infer<typeof HeadsJob>;

/** The renderer's answer to a HeadsJob (the job's return value). */
export const HeadsResult = z.object({ repoURL: z.string(), targetRevision: z.string(), revision: z.string() });
export type HeadsResult = z.infer<typeof HeadsResult>;

/** Job catalogue: each queue's payload schema and retry policy, so producers and processors share one table. */
export const jobCatalogue = {
  render: { schema: RenderJob, attempts: 5, backoffMs: 1_000 },
  sync: { schema: SyncJob, attempts: 5, backoffMs: 1_000 },
  control: { schema: ControlJob, attempts: 1, backoffMs: 1_000 },
  image: { schema: ImageJob, attempts: 5, backoffMs: 1_000 },
  heads: { schema: HeadsJob, attempts: 1, backoffMs: 1_000 },
} as const;

/** Deterministic job ids: a webhook delivered twice makes one piece of work per app and commit. */
export const jobIds = {
  render: (app: string, revision: string) => `render:${app}:${revision}`,
  sync: (app: string, revision: string) => `sync:${app}:${revision}`,
  /**
   * One job per policy and pushed digest (or tag, when the registry sent no digest); a policy watches one image.
   * BullMQ allows exactly two colons in a custom id, so the policy id's own colons become dots.
   */
  image: (policy: string, digestOrTag: string) => `image:${policy.replaceAll(':', '.')}:${digestOrTag.replace(/^sha256:/, '').replaceAll(':', '.')}`,
} as const;
