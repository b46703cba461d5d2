/**
 * Tidewater's promotion pipeline model (`tidewater.dev/v1alpha1` `Pipeline`): what a Pipeline document holds, and
 * what Kargo (`Project` / `Warehouse` / `Stage` / `PromotionTask` / `ProjectConfig`) and GitOps Promoter
 * (`PromotionStrategy`, `TimedCommitStatus`) documents are translated into. The promoter runs it; the api reads it.
 *
 * A freight (what is promoted) comes from a source; stages are promoted in order along `freightFrom`; a stage's
 * `gates` must pass for the freight in every upstream stage before it is promoted here, its `verification` after.
 * Strict like Tidewater's other kinds: an unknown field is an error.
 */
import { z } from 'zod';
import { ObjectMeta, ObjectName } from '../schema/object-meta.ts';
import { SecretRef } from '../schema/secret-ref.ts';
import { tidewaterApiVersion } from '../schema/tidewater.ts';

/** `30s`, `5m`, `1h30m`, `24h` (Go / Kubernetes duration syntax, no fractions). */
export const Duration = z.string().regex(/^(\d+(ms|s|m|h))+$/, { error: 'must be a duration such as 30s, 5m or 24h' });
export type Duration = z.infer<typeof Duration>;

/** Where a freight's artifacts come from (Kargo's Warehouse subscriptions). */
export const FreightSource = z.strictObject({
  name: ObjectName,
  /** Images: the id of an image policy (`tidewater:<name>`, `argocd:<app>:<alias>`, `flux:<ns>/<name>`) ... */
  imagePolicy: z.string().min(1).optional(),
  /** ... or an image followed directly: `registry/repository` with a selection rule. */
  image: z
    .strictObject({
      repoURL: z.string().min(1),
      strategy: z.enum(['semver', 'newest-build', 'digest', 'alphabetical', 'numerical']).optional(),
      constraint: z.string().min(1).optional(),
      allowTags: z.string().min(1).optional(),
      ignoreTags: z.array(z.string()).optional(),
    })
    .optional(),
  /** Git: commits of a branch (or tags matching a semver range) of a repository. */
  git: z
    .strictObject({
      repoURL: z.string().min(1),
      branch: z.string().min(1).optional(),
      semverConstraint: z.string().min(1).optional(),
      includePaths: z.array(z.string()).optional(),
      excludePaths: z.array(z.string()).optional(),
    })
    .optional(),
  /** Helm charts: `repoURL` (https or oci) + `name` + a semver range. */
  chart: z
    .strictObject({ repoURL: z.string().min(1), name: z.string().min(1).optional(), semverConstraint: z.string().min(1).optional() })
    .optional(),
});
export type FreightSource = z.infer<typeof FreightSource>;

/** A check a freight must pass. `expression` is CEL-like and is parsed at load (never `eval`). */
export const Gate = z.discriminatedUnion('type', [
  /** The stage's Applications synced and healthy, observed after the promotion's own sync. */
  z.strictObject({ type: z.literal('healthy'), name: z.string().optional() }),
  /** The freight has been in the (upstream) stage, healthy, at least this long. */
  z.strictObject({ type: z.literal('soak'), name: z.string().optional(), duration: Duration }),
  z.strictObject({
    type: z.literal('http'),
    name: z.string().optional(),
    url: z.string().url(),
    method: z.enum(['GET', 'POST', 'HEAD']).optional(),
    expectStatus: z.array(z.number().int()).optional(),
    headersFrom: SecretRef.optional(),
    timeout: Duration.optional(),
  }),
  z.strictObject({
    type: z.literal('prometheus'),
    name: z.string().optional(),
    url: z.string().url(),
    query: z.string().min(1),
    /** The query's first sample compared with `threshold`. */
    comparison: z.enum(['<', '<=', '>', '>=', '==', '!=']),
    threshold: z.number(),
  }),
  /** A commit status set by an external system through the API (GitOps Promoter's CommitStatus keys). */
  z.strictObject({ type: z.literal('commitStatus'), name: z.string().optional(), key: z.string().min(1) }),
  /** `app.status.health.status == 'Healthy'`, `staging.status == 'Succeeded'` (PromotionStrategy successCondition). */
  z.strictObject({ type: z.literal('expression'), name: z.string().optional(), expression: z.string().min(1) }),
]);
export type Gate = z.infer<typeof Gate>;

export const ApprovalPolicy = z.strictObject({
  /** How many distinct approvers; default 1. */
  required: z.number().int().min(1).optional(),
  /** The role an approver needs (api RBAC); default `approver`. */
  role: z.string().min(1).optional(),
  /** The user who requested (or whose push caused) the promotion may not approve it. Default true. */
  forbidSelfApproval: z.boolean().optional(),
  /** An approval (and a pending request) expires after this long. Default 24h (Keel's). */
  expiresAfter: Duration.optional(),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

/**
 * A promotion step, by Kargo's step names: `git-clone`, `kustomize-set-image`, `yaml-update`, `git-commit`,
 * `git-push`, `git-open-pr`, `git-wait-for-pr`, `argocd-update`; and Tidewater's `branch-promote` (move an
 * environment branch to the freight's commit, fast-forward or merge commit). `config` is step-specific and checked
 * by the step's own schema at load.
 */
export const PromotionStepName = z.enum([
  'git-clone', 'kustomize-set-image', 'yaml-update', 'git-commit', 'git-push', 'git-open-pr', 'git-wait-for-pr', 'argocd-update', 'branch-promote',
]);
export type PromotionStepName = z.infer<typeof PromotionStepName>;

export const PromotionStep = z.strictObject({
  uses: PromotionStepName,
  /** Name for later steps' references (Kargo `as`). */
  as: z.string().min(1).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type PromotionStep = z.infer<typeof PromotionStep>;

export const PipelineStage = z.strictObject({
  name: ObjectName,
  /** The Applications this stage updates (by name; must exist in the configuration). */
  applications: z.array(ObjectName).min(1),
  /** Where its freight comes from: sources directly, or stages before it (freight verified there). */
  freightFrom: z.strictObject({ sources: z.array(ObjectName).optional(), stages: z.array(ObjectName).optional() }),
  /** Promote a new eligible freight without a human (subject to gates and approvals). Default false. */
  autoPromote: z.boolean().optional(),
  /** Must pass for the freight in each upstream stage before promotion here. */
  gates: z.array(Gate).optional(),
  /** Must pass in this stage after promotion for the freight to count as verified here. */
  verification: z.array(Gate).optional(),
  approval: ApprovalPolicy.optional(),
  /** Default when absent: set each source image in the stage's Applications (write-back as for image policies), commit, push. */
  steps: z.array(PromotionStep).optional(),
});
export type PipelineStage = z.infer<typeof PipelineStage>;

export const PipelineSpec = z.strictObject({
  sources: z.array(FreightSource).min(1),
  stages: z.array(PipelineStage).min(1),
});
export type PipelineSpec = z.infer<typeof PipelineSpec>;

export const PipelineDocument = z.object({
  apiVersion: z.literal(tidewaterApiVersion),
  kind: z.literal('Pipeline'),
  metadata: ObjectMeta,
  spec: PipelineSpec,
});
export type PipelineDocument = z.infer<typeof PipelineDocument>;

/** A validated pipeline, whichever form it was written in. */
export interface Pipeline {
  name: string;
  origin: 'tidewater' | 'kargo' | 'gitops-promoter';
  spec: PipelineSpec;
  /** The file and document index it was loaded from (for errors raised later, e.g. by the promoter). */
  location?: { file: string; documentIndex: number };
}

/** The secret references of a pipeline (http gates' `headersFrom`), with their paths, for the load-time scope check. */
export function pipelineSecretRefs(document: PipelineDocument): Array<{ path: Array<string | number>; ref: SecretRef }> {
  return document.spec.stages.flatMap((stage, stageIndex) =>
    (['gates', 'verification'] as const).flatMap((field) =>
      (stage[field] ?? []).flatMap((gate, gateIndex) =>
        gate.type === 'http' && gate.headersFrom ? [{ path: ['spec', 'stages', stageIndex, field, gateIndex, 'headersFrom'], ref: gate.headersFrom }] : [],
      ),
    ),
  );
}
