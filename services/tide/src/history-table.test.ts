import { describe, expect, it } from 'vitest';
import type { SyncHistoryEntry } from '@tidewater/queues';
import { formatControlResult } from './control-output.ts';
import { controlJobId } from './control-client.ts';
import { formatHistory } from './history-table.ts';

const entries: SyncHistoryEntry[] = [
  { id: 3, app: 'web', revision: 'a'.repeat(40), phase: 'Succeeded', startedAt: 's', finishedAt: '2030-01-01T00:00:03Z', durationMs: 120, trigger: { kind: 'rollback', actor: 'alice' } },
  { id: 2, app: 'web', revision: 'b'.repeat(40), phase: 'Failed', startedAt: 's', finishedAt: '2030-01-01T00:00:02Z', durationMs: 80, trigger: { kind: 'webhook' }, message: 'Deployment web/api:\n  rejected' },
];

describe('tide output', () => {
  it('prints history as a table under a pause heading', () => {
    const text = formatHistory('web', entries, { revision: 'a'.repeat(40), by: 'alice', at: '2030-01-01T00:00:03Z', reason: 'rollback' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('web: automated sync PAUSED at aaaaaaaaaaaa (rollback, by alice, 2030-01-01T00:00:03Z); a new commit or `tide resume web` resumes it');
    expect(lines[1]).toBe('  #  REVISION      PHASE      TRIGGER   ACTOR  FINISHED              DURATION  MESSAGE');
    expect(lines[2]).toBe('  3  aaaaaaaaaaaa  Succeeded  rollback  alice  2030-01-01T00:00:03Z  120 ms');
    expect(lines[3]).toContain('Failed     webhook   -      2030-01-01T00:00:02Z  80 ms     Deployment web/api: rejected');
    expect(formatHistory('web', [])).toBe('web: automated sync running\n  no syncs recorded');
  });

  it('says what a rollback, a resume and a diff did', () => {
    expect(formatControlResult('rollback', 'web', { revision: 'a'.repeat(40), from: 'b'.repeat(40), sync: { id: 4, finishedAt: 't' } }))
      .toBe('web rolled back to aaaaaaaaaaaa (was bbbbbbbbbbbb); sync #4 succeeded at t\nautomated sync is paused: a new commit on the branch or `tide resume web` resumes it');
    expect(formatControlResult('resume', 'web', { resumed: false })).toBe('web was not paused; nothing to resume');
    expect(formatControlResult('resume', 'web', { resumed: true, pausedRevision: 'a'.repeat(40), catchUpRevision: 'c'.repeat(40) }))
      .toBe('web: automated sync resumed (was held at aaaaaaaaaaaa); catching up from cccccccccccc to the branch head');
    expect(formatControlResult('diff', 'web', { objects: [{ diff: '--- a\n+++ b\n' }, { diff: '' }] })).toBe('--- a\n+++ b');
    expect(formatControlResult('diff', 'web', {
      app: 'web', revision: 'a'.repeat(40),
      objects: [
        { kind: 'Deployment', namespace: 'web', name: 'api', status: 'changed', diff: '--- live\n+++ desired\n-  replicas: 1\n+  replicas: 3\n' },
        { kind: 'Service', namespace: 'web', name: 'api', status: 'unchanged', diff: '' },
      ],
    })).toBe('web at aaaaaaaaaaaa: 1 changed, 1 unchanged\n--- live\n+++ desired\n-  replicas: 1\n+  replicas: 3');
    expect(formatControlResult('diff', 'web', { unifiedDiff: '' })).toBe('no differences');
  });

  it('makes control job ids BullMQ accepts (exactly three colon-separated parts)', () => {
    const id = controlJobId('rollback', 'guestbook-dev');
    expect(id).toMatch(/^control:rollback-guestbook-dev:[0-9a-f]{12}$/);
    expect(id.split(':')).toHaveLength(3);
  });
});
