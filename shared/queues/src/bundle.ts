/** What the renderer produced for one app at one commit; the syncer applies it. */
export interface RenderedBundle {
  app: string;
  repoURL: string;
  revision: string;
  path: string;
  /** Kubernetes objects, in the order they were rendered. */
  objects: KubernetesObject[];
  renderedAt: string;
  renderer: 'directory' | 'kustomize' | 'helm';
  /** The renderer's HMAC (`v1:<hex>`, see bundle-signature.ts); the syncer applies only bundles whose signature verifies. */
  signature?: string;
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export type ObjectOutcome = 'created' | 'configured' | 'unchanged' | 'pruned' | 'failed' | 'skipped';

export interface ObjectResult {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  outcome: ObjectOutcome;
  message?: string;
}

export interface SyncResult {
  app: string;
  revision: string;
  phase: 'Succeeded' | 'Failed' | 'Superseded';
  message?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  objects: ObjectResult[];
  trigger?: { kind: string; actor?: string; deliveryId?: string };
  /** Set when a failed automated sync is retried by `syncPolicy.retry` (or was a retry itself). */
  retry?: SyncRetryState;
  /** True for a dry-run operation: nothing was applied or pruned. */
  dryRun?: boolean;
}

/** Where an application stands in its `syncPolicy.retry` schedule: retry `attempt` of `limit` (-1: unlimited). */
export interface SyncRetryState {
  /** Retries done so far (0 on the first attempt). */
  attempt: number;
  limit: number;
  /** When the next retry runs, if one is scheduled. */
  nextAttemptAt?: string;
  /** What a prompt retry waits for besides the clock (a namespace created, a CRD established). */
  waitingFor?: string[];
}

/** Argo CD's sync status of an application: does the live state match the desired state of `revision`? */
export type ComparisonStatus = 'Synced' | 'OutOfSync' | 'Unknown';

export interface ComparedObject {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  /** `added`: absent from the cluster; `removed`: tracked but left the bundle (pruned by a sync with prune). */
  status: 'changed' | 'added' | 'removed' | 'unchanged';
}

/**
 * The latest comparison of an application's desired state (its rendered bundle) with the cluster: written after
 * every render of a non-automated app, after every sync, and when the project refuses the app.
 */
export interface AppComparison {
  app: string;
  revision: string;
  status: ComparisonStatus;
  /** Why the app is OutOfSync or Unknown (e.g. the project refuses it), when that is not the objects' diff. */
  reason?: string;
  /** Automated sync applies on its own; manual waits for a sync request. */
  syncPolicy: 'automated' | 'manual';
  /** The bundle compared (a sync request of this revision uses it). */
  bundleKey?: string;
  /** The objects that differ (none when Synced); `tide diff` shows how. */
  objects: ComparedObject[];
  comparedAt: string;
}

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

export interface ObjectHealth {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  status: HealthStatus;
  message?: string;
}

export interface AppHealth {
  app: string;
  status: HealthStatus;
  message?: string;
  revision?: string;
  objects: ObjectHealth[];
  updatedAt: string;
}

export interface SyncHistoryEntry {
  id: number;
  app: string;
  revision: string;
  phase: SyncResult['phase'];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  trigger: { kind: string; actor?: string; deliveryId?: string };
  message?: string;
  /** Redis key of the bundle that was applied, while it is cached (rollback re-renders when it expired). */
  bundleKey?: string;
  /** Set for a retried automated sync (`syncPolicy.retry`). */
  retry?: SyncRetryState;
}
