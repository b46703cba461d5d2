import type { SyncHistoryEntry } from '@tidewater/queues';
import { ControlRequestRefused } from '../control/control-errors.ts';

// Shortest abbreviated SHA accepted for a requested revision, as `git` shows them by default.
const minimumPrefixLength = 7;

/**
 * The revision a rollback goes to. With `requested`: that revision (or a unique abbreviation of at least 7
 * characters) must be in the app's history with a Succeeded sync. Without it: the newest Succeeded entry whose
 * revision differs from `current` (the revision synced now). Throws ControlRequestRefused otherwise.
 */
export function chooseRollbackTarget(
  app: string,
  history: readonly SyncHistoryEntry[],
  options: { requested?: string; current?: string },
): SyncHistoryEntry {
  if (history.length === 0) {
    throw new ControlRequestRefused(`application ${app} has no sync history to roll back to`);
  }
  if (options.requested) {
    const revision = resolveRequested(app, history, options.requested);
    const succeeded = history.find((entry) => entry.revision === revision && entry.phase === 'Succeeded');
    if (!succeeded) {
      throw new ControlRequestRefused(`revision ${revision} of ${app} never synced successfully in the kept history; pick a revision whose sync succeeded (tide history ${app})`);
    }
    return succeeded;
  }
  const target = history.find((entry) => entry.phase === 'Succeeded' && entry.revision !== options.current);
  if (!target) {
    throw new ControlRequestRefused(`application ${app} has no earlier successfully synced revision in its history (${history.length} kept); name one explicitly or raise spec.revisionHistoryLimit`);
  }
  return target;
}

function resolveRequested(app: string, history: readonly SyncHistoryEntry[], requested: string): string {
  const wanted = requested.trim().toLowerCase();
  const revisions = [...new Set(history.map((entry) => entry.revision))];
  const exact = revisions.find((revision) => revision.toLowerCase() === wanted);
  if (exact) return exact;
  const matches = wanted.length >= minimumPrefixLength ? revisions.filter((revision) => revision.toLowerCase().startsWith(wanted)) : [];
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new ControlRequestRefused(`revision ${requested} is ambiguous in the history of ${app} (${matches.map((revision) => revision.slice(0, 12)).join(', ')}); give more characters`);
  }
  throw new ControlRequestRefused(`revision ${requested} is not in the kept history of ${app}; only a revision listed by \`tide history ${app}\` can be rolled back to`);
}
