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
}
