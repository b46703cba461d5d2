import type { ArgoApplication } from '@tidewater/config';
import { objectKey } from '../apply/object-ref.ts';
import type { PendingPrune } from './pending-prune.ts';

/** Argo CD's way to confirm pruning without the UI: an ISO timestamp on the Application, later than the wait began. */
export const deletionApprovedAnnotation = 'argocd.argoproj.io/deletion-approved';

/** The pending `Prune=confirm` objects the Application's deletion-approved annotation confirms (objectKeys). */
export function approvedByAnnotation(application: ArgoApplication, pending: PendingPrune | undefined): ReadonlySet<string> {
  const approvedAt = Date.parse(application.metadata.annotations?.[deletionApprovedAnnotation] ?? '');
  if (!pending || Number.isNaN(approvedAt) || approvedAt < Date.parse(pending.since)) return new Set();
  return new Set(pending.entries.map((entry) => objectKey(entry.cluster, entry)));
}
