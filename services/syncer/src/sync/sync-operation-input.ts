import type { ResourceSelector } from './resource-selection.ts';

/**
 * What an operator's sync request asks of one run of the sync path (runSync): prune or not, only some resources,
 * and the per-operation apply options (`force`, `syncOptions`) that the apply path interprets.
 */
export interface SyncOperationInput {
  /** Prune what left Git (`argocd app sync --prune`); replaces `automated.prune` for this operation. */
  prune: boolean;
  /** Replace or recreate objects the API refuses to patch (Argo CD `--force`); for the apply path. */
  force: boolean;
  /** Argo CD sync options for this operation only (e.g. `Replace=true`), on top of the Application's. */
  syncOptions: readonly string[];
  /** Only these resources are applied and considered for prune; absent: all. */
  resources?: readonly ResourceSelector[];
  /** Who asked (for messages). */
  actor?: string;
}
