import type { SyncResult } from '@tidewater/queues';

/** One line per app for `tide status`. */
export function formatStatus(app: string, result: SyncResult | undefined): string {
  if (!result) return `${app.padEnd(28)} never synced`;
  const counts = new Map<string, number>();
  for (const object of result.objects) counts.set(object.outcome, (counts.get(object.outcome) ?? 0) + 1);
  const summary = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  return `${app.padEnd(28)} ${result.phase.padEnd(10)} ${result.revision.slice(0, 12)}  ${result.finishedAt}  ${result.durationMs} ms  ${summary}${result.message ? `  — ${result.message}` : ''}`;
}
