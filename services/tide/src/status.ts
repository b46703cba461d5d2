import type { AppComparison, AppHealth, SyncResult } from '@tidewater/queues';

export interface AppStatus {
  app: string;
  sync?: SyncResult;
  /** Argo CD's sync status (Synced / OutOfSync against the desired revision), from redisKeys.comparison. */
  comparison?: AppComparison;
  health?: AppHealth;
  /** Drifted objects (`kind/name`), when the live state found any. */
  drift?: string[];
  paused?: { revision: string; by?: string };
}

/**
 * One line per app for `tide status`: last sync phase and revision, sync state (Synced / OutOfSync / Unknown, Argo
 * CD's words: a manual app waiting for a sync, a refused or failed one, or drift make it OutOfSync), health, notes.
 */
export function formatStatus(status: AppStatus): string {
  const { app, sync, health, comparison } = status;
  if (!sync && !comparison) return `${app.padEnd(22)} never synced`;
  const counts = new Map<string, number>();
  for (const object of sync?.objects ?? []) counts.set(object.outcome, (counts.get(object.outcome) ?? 0) + 1);
  const summary = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  const syncState = status.drift?.length ? 'OutOfSync' : comparison?.status ?? 'Synced';
  const differing = comparison?.objects.filter((object) => object.status !== 'unchanged').length ?? 0;
  const notes = [
    status.drift?.length ? `drift: ${status.drift.join(', ')}` : '',
    comparison?.status === 'OutOfSync' && comparison.syncPolicy === 'manual' && !comparison.reason
      ? `manual sync: ${differing} object${differing === 1 ? ' differs' : 's differ'} at ${comparison.revision.slice(0, 12)} (tide sync ${app})` : '',
    comparison?.reason && !(sync?.message ?? '').includes(comparison.reason) ? comparison.reason : '',
    status.paused ? `auto-sync paused at ${status.paused.revision.slice(0, 12)}${status.paused.by ? ` by ${status.paused.by}` : ''}` : '',
    sync?.message ? sync.message : '',
    health?.message && health.status !== 'Healthy' ? health.message : '',
  ].filter(Boolean).join('; ');
  const revision = (sync?.revision ?? comparison?.revision ?? '').slice(0, 12);
  return [
    app.padEnd(22), (sync?.phase ?? '-').padEnd(10), syncState.padEnd(10), (health?.status ?? '-').padEnd(12),
    revision, sync ? ` ${sync.finishedAt}  ${String(sync.durationMs).padStart(5)} ms  ${summary}` : '',
    notes ? `  — ${notes}` : '',
  ].join(' ');
}

export const statusHeader = `${'APP'.padEnd(22)} ${'SYNC'.padEnd(10)} ${'STATE'.padEnd(10)} ${'HEALTH'.padEnd(12)} REVISION`;
