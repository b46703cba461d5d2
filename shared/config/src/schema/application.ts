import { z } from 'zod';
import { ObjectMeta } from './object-meta.ts';

// Argo CD `Application` as users write it for Argo CD. Objects are `z.object` (unknown keys stripped from the
// parsed value); the loader reports every stripped key as an unsupported-field warning (see unknown-fields.ts).

export const DirectorySource = z.object({
  recurse: z.boolean().optional(),
  /** Glob (or `{a,b}` list) of files to include, relative to the source path. */
  include: z.string().optional(),
  exclude: z.string().optional(),
});
export type DirectorySource = z.infer<typeof DirectorySource>;

export const KustomizeSource = z.object({
  /** Image overrides in kustomize syntax: `name=newName:tag`, `name:tag`, `name@digest`. */
  images: z.array(z.string()).optional(),
  namePrefix: z.string().optional(),
  nameSuffix: z.string().optional(),
  commonLabels: z.record(z.string(), z.string()).optional(),
  commonAnnotations: z.record(z.string(), z.string()).optional(),
  namespace: z.string().optional(),
});
export type KustomizeSource = z.infer<typeof KustomizeSource>;

export const HelmParameter = z.object({
  name: z.string().min(1),
  value: z.string(),
  forceString: z.boolean().optional(),
});
export type HelmParameter = z.infer<typeof HelmParameter>;

export const HelmSource = z.object({
  valueFiles: z.array(z.string()).optional(),
  /** Values as a YAML string (`values: |`). */
  values: z.string().optional(),
  /** Values as a YAML object; kept exactly as written (including nulls, which delete chart defaults). */
  valuesObject: z.record(z.string(), z.unknown()).optional(),
  parameters: z.array(HelmParameter).optional(),
  releaseName: z.string().optional(),
  ignoreMissingValueFiles: z.boolean().optional(),
});
export type HelmSource = z.infer<typeof HelmSource>;

export const ApplicationSource = z.object({
  repoURL: z.string().min(1),
  /** Branch, tag, commit SHA or `HEAD`; for Helm repository charts, the chart version. */
  targetRevision: z.string().default('HEAD'),
  path: z.string().default('.'),
  /** Chart name when repoURL is a Helm repository. */
  chart: z.string().optional(),
  directory: DirectorySource.optional(),
  kustomize: KustomizeSource.optional(),
  helm: HelmSource.optional(),
});
export type ApplicationSource = z.infer<typeof ApplicationSource>;

export const ApplicationDestination = z
  .object({
    /** Kubernetes API URL of the target cluster. */
    server: z.string().min(1).optional(),
    /** Name of a `Cluster` document (Argo CD's cluster name). */
    name: z.string().min(1).optional(),
    namespace: z.string().optional(),
  })
  .superRefine((destination, ctx) => {
    if ((destination.server === undefined) === (destination.name === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'exactly one of server or name is required' });
    }
  });
export type ApplicationDestination = z.infer<typeof ApplicationDestination>;

/** A backoff duration as Argo CD reads it: Go-style (`5s`, `2m`, `1m30s`) or a number of seconds. */
const RetryDuration = z.union([
  z.string().regex(/^\s*(\d+(\.\d+)?|(\d+(\.\d+)?(ms|s|m|h))+)\s*$/, 'is not a duration like "5s", "2m" or "1m30s" (or a number of seconds)'),
  z.number().nonnegative(),
]);

export const RetryStrategy = z.object({
  /** Retries after a failed sync; 0 or absent: none; a negative number retries forever (Argo CD semantics). */
  limit: z.number().int().optional(),
  backoff: z
    .object({
      /** Go duration string (`5s`, `2m`) or a number of seconds. */
      duration: RetryDuration.optional(),
      factor: z.number().positive().optional(),
      maxDuration: RetryDuration.optional(),
    })
    .optional(),
});
export type RetryStrategy = z.infer<typeof RetryStrategy>;

export const SyncPolicy = z.object({
  /** Present (even as `{}`) means automated sync, unless `enabled: false` (Argo CD 3). */
  automated: z
    .object({
      prune: z.boolean().optional(),
      selfHeal: z.boolean().optional(),
      allowEmpty: z.boolean().optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
  /** Argo CD `Key=value` strings, e.g. `CreateNamespace=true`; read them with parseSyncOptions. */
  syncOptions: z.array(z.string()).optional(),
  retry: RetryStrategy.optional(),
  /** Labels and annotations set on the namespace created by `CreateNamespace=true` (nothing without it). */
  managedNamespaceMetadata: z
    .object({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});
export type SyncPolicy = z.infer<typeof SyncPolicy>;

/** RFC 6901 JSON pointer to a field below the object's root: `/spec/replicas`, `/metadata/annotations/a~1b`. */
const JsonPointer = z.string().regex(/^(\/([^~]|~[01])*)+$/, {
  error: 'must be a JSON pointer starting with / (RFC 6901: write ~1 for / and ~0 for ~ inside a key)',
});

/**
 * One `spec.ignoreDifferences` entry (Argo CD): which objects (group and kind match as globs, name and namespace
 * exactly when set) and which of their fields diff, drift and self-heal leave alone.
 */
export const ResourceIgnoreDifferences = z.object({
  /** API group, `""` (or omitted) for the core group; `*` globs allowed. */
  group: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().optional(),
  namespace: z.string().optional(),
  jsonPointers: z.array(JsonPointer).optional(),
  /** jq path expressions, as in `del(<expression>)`: `.spec.template.spec.containers[] | select(.name == "x") | .image`. */
  jqPathExpressions: z.array(z.string().trim().min(1, { error: 'must be a jq path expression' })).optional(),
  /** Field managers (`kube-controller-manager`, …) whose fields on the live object are ignored. */
  managedFieldsManagers: z.array(z.string().min(1)).optional(),
});
export type ResourceIgnoreDifferences = z.infer<typeof ResourceIgnoreDifferences>;

export const ApplicationSpec = z.object({
  project: z.string().min(1).default('default'),
  source: ApplicationSource,
  destination: ApplicationDestination,
  syncPolicy: SyncPolicy.optional(),
  ignoreDifferences: z.array(ResourceIgnoreDifferences).optional(),
  revisionHistoryLimit: z.number().int().nonnegative().optional(),
  info: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
export type ApplicationSpec = z.infer<typeof ApplicationSpec>;

export const ArgoApplication = z.object({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('Application'),
  metadata: ObjectMeta,
  spec: ApplicationSpec,
});
export type ArgoApplication = z.infer<typeof ArgoApplication>;

/** Whether Argo CD would sync this application automatically. */
export function isAutomatedSync(application: ArgoApplication): boolean {
  const automated = application.spec.syncPolicy?.automated;
  return automated !== undefined && automated.enabled !== false;
}
