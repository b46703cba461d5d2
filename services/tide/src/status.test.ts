import { describe, expect, it } from 'vitest';
import type { AppComparison, SyncHistoryEntry, SyncResult } from '@tidewater/queues';
import { formatHistory } from './history-table.ts';
import { formatStatus } from './status.ts';

const revision = 'a'.repeat(40);
const comparison = (fields: Partial<AppComparison>): AppComparison => ({
  app: 'web', revision, status: 'OutOfSync', syncPolicy: 'manual', objects: [
    { group: '', kind: 'ConfigMap', name: 'a', status: 'added' }, { group: '', kind: 'ConfigMap', name: 'b', status: 'unchanged' },
  ], comparedAt: 't', ...fields,
});

describe('tide status and history in Argo CD words', () => {
  it('shows a manual app that was never synced as OutOfSync, Missing, waiting for tide sync', () => {
    const line = formatStatus({ app: 'web', comparison: comparison({}), health: { app: 'web', status: 'Missing', objects: [], updatedAt: 't' } });
    expect(line).toMatch(/^web\s+-\s+OutOfSync\s+Missing\s+aaaaaaaaaaaa/);
    expect(line).toContain('manual sync: 1 object differs at aaaaaaaaaaaa');
    expect(line).toContain('tide sync web');
  });

  it('never shows a refused or failed app as Synced', () => {
    const sync: SyncResult = {
      app: 'web', revision, phase: 'Failed', message: 'application web is not permitted by project team', startedAt: 's', finishedAt: 'f', durationMs: 1, objects: [],
    };
    const line = formatStatus({ app: 'web', sync, comparison: comparison({ syncPolicy: 'automated', reason: sync.message, objects: [] }) });
    expect(line).toMatch(/^web\s+Failed\s+OutOfSync/);
    expect(formatStatus({ app: 'web', sync: { ...sync, phase: 'Succeeded', message: undefined }, comparison: comparison({ status: 'Synced', objects: [] }) })).toMatch(/^web\s+Succeeded\s+Synced/);
  });

  it('shows where a failed automated sync stands in its retries', () => {
    const entry: SyncHistoryEntry = {
      id: 2, app: 'web', revision, phase: 'Failed', startedAt: 's', finishedAt: 'f', durationMs: 1, trigger: { kind: 'webhook' },
      message: 'ConfigMap a: 404 namespaces "x" not found', retry: { attempt: 1, limit: 3, nextAttemptAt: '2030-01-01T00:00:10Z' },
    };
    expect(formatHistory('web', [entry])).toContain('retry attempt 1 of 3, attempt 2 of 3 at 2030-01-01T00:00:10Z: ConfigMap a');
  });
});
