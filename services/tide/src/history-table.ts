import type { SyncHistoryEntry } from '@tidewater/queues';

/** The pause record as `tide history` shows it (see redisKeys.paused). */
export interface PauseInfo {
  revision: string;
  by?: string;
  at?: string;
  reason?: string;
}

/** `tide history <app>`: a heading saying whether automated sync is paused, then one row per sync, newest first. */
export function formatHistory(app: string, entries: readonly SyncHistoryEntry[], pause?: PauseInfo): string {
  const details = pause ? [pause.reason, pause.by && `by ${pause.by}`, pause.at].filter(Boolean).join(', ') : '';
  const heading = pause
    ? `${app}: automated sync PAUSED at ${pause.revision.slice(0, 12)}${details ? ` (${details})` : ''}; a new commit or \`tide resume ${app}\` resumes it`
    : `${app}: automated sync running`;
  if (entries.length === 0) return `${heading}\n  no syncs recorded`;
  const header = ['#', 'REVISION', 'PHASE', 'TRIGGER', 'ACTOR', 'FINISHED', 'DURATION', 'MESSAGE'];
  const rows = entries.map((entry) => [
    String(entry.id),
    entry.revision.slice(0, 12),
    entry.phase,
    entry.trigger.kind,
    entry.trigger.actor ?? '-',
    entry.finishedAt,
    `${entry.durationMs} ms`,
    oneLine([retryNote(entry), entry.message ?? ''].filter(Boolean).join(': '), 100),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => column === cells.length - 1 ? cell : cell.padEnd(widths[column])).join('  ')}`.trimEnd();
  return [heading, line(header), ...rows.map(line)].join('\n');
}

/** `retry attempt 2 of 5`, `next retry at …`: where a failed automated sync stands in its retries. */
function retryNote(entry: SyncHistoryEntry): string {
  if (!entry.retry) return '';
  const limit = entry.retry.limit < 0 ? 'unlimited' : String(entry.retry.limit);
  return [
    entry.retry.attempt > 0 ? `retry attempt ${entry.retry.attempt} of ${limit}` : '',
    entry.retry.nextAttemptAt ? `attempt ${entry.retry.attempt + 1} of ${limit} at ${entry.retry.nextAttemptAt}` : '',
  ].filter(Boolean).join(', ');
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
