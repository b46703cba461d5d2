import { describe, expect, it } from 'vitest';
import type { SyncHistoryEntry } from '@tidewater/queues';
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

  it('makes control job ids BullMQ accepts (exactly three colon-separated parts)', () => {
    const id = controlJobId('rollback', 'guestbook-dev');
    expect(id).toMatch(/^control:rollback-guestbook-dev:[0-9a-f]{12}$/);
    expect(id.split(':')).toHaveLength(3);
  });
});
