import type { AppHealth, SyncResult } from '@tidewater/queues';

export interface AppStatus {
  app: string;
  sync?: SyncResult;
  health?: AppHealth;
  /** Drifted objects (`kind/name`), when the live state found any. */
  drift?: string[];
  paused?: { revision: string; by?: string };
}

/** One line per app for `tide status`: sync phase and revision, health, drift, pause, and what the sync did. */
export function formatStatus(status: AppStatus): string {
  const { app, sync, health } = status;
  if (!sync) return `${app.padEnd(22)} never synced`;
  const counts = new Map<string, number>();
  for (const object of sync.objects) counts.set(object.outcome, (counts.get(object.outcome) ?? 0) + 1);
  const summary = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  const syncState = status.drift?.length ? 'OutOfSync' : 'Synced';
  const notes = [
    status.drift?.length ? `drift: ${status.drift.join(', ')}` : '',
    status.paused ? `auto-sync paused at ${status.paused.revision.slice(0, 12)}${status.paused.by ? ` by ${status.paused.by}` : ''}` : '',
    sync.message ? sync.message : '',
    health?.message && health.status !== 'Healthy' ? health.message : '',
  ].filter(Boolean).join('; ');
  return [
    app.padEnd(22), sync.phase.padEnd(10), syncState.padEnd(10), (health?.status ?? '-').padEnd(12),
    sync.revision.slice(0, 12), ` ${sync.finishedAt}  ${String(sync.durationMs).padStart(5)} ms  ${summary}`,
    notes ? `  — ${notes}` : '',
  ].join(' ');
}

export const statusHeader = `${'APP'.padEnd(22)} ${'SYNC'.padEnd(10)} ${'STATE'.padEnd(10)} ${'HEALTH'.padEnd(12)} REVISION`;
