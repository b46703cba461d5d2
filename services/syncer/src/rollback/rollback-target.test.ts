import { describe, expect, it } from 'vitest';
import type { SyncHistoryEntry } from '@tidewater/queues';
import { ControlRequestRefused } from '../control/control-errors.ts';
import { chooseRollbackTarget } from './rollback-target.ts';

const sha = (c: string) => c.repeat(40);
let id = 0;
function entry(revision: string, phase: SyncHistoryEntry['phase'] = 'Succeeded', kind = 'webhook'): SyncHistoryEntry {
  id += 1;
  return {
    id, app: 'web', revision, phase, startedAt: '2030-01-01T00:00:00Z', finishedAt: '2030-01-01T00:00:01Z', durationMs: 1000,
    trigger: { kind },
  };
}

describe('choosing the rollback target', () => {
  // Newest first, as readHistory returns it.
  const history = [entry(sha('c'), 'Failed'), entry(sha('b')), entry(sha('b'), 'Failed'), entry(sha('a')), entry(sha('0'))];

  it('defaults to the newest successful revision other than the current one', () => {
    expect(chooseRollbackTarget('web', history, { current: sha('c') }).revision).toBe(sha('b'));
    expect(chooseRollbackTarget('web', history, { current: sha('b') }).revision).toBe(sha('a'));
    // Without a current revision the newest success is the target.
    expect(chooseRollbackTarget('web', history, {}).revision).toBe(sha('b'));
  });

  it('after a rollback, the default goes back to what was rolled back from', () => {
    const afterRollback = [entry(sha('a'), 'Succeeded', 'rollback'), entry(sha('b')), entry(sha('a'))];
    expect(chooseRollbackTarget('web', afterRollback, { current: sha('a') }).revision).toBe(sha('b'));
  });

  it('accepts a requested revision from the history, in full or as a unique abbreviation', () => {
    expect(chooseRollbackTarget('web', history, { requested: sha('a'), current: sha('c') }).revision).toBe(sha('a'));
    expect(chooseRollbackTarget('web', history, { requested: sha('0').slice(0, 7).toUpperCase(), current: sha('c') }).revision).toBe(sha('0'));
    // The successful entry of a revision that also failed once.
    expect(chooseRollbackTarget('web', history, { requested: sha('b') }).phase).toBe('Succeeded');
  });

  it('refuses what it cannot roll back to, saying why', () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ControlRequestRefused);
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => chooseRollbackTarget('web', [], {}))).toMatch(/no sync history/);
    expect(refusal(() => chooseRollbackTarget('web', history, { requested: sha('d') }))).toMatch(/not in the kept history of web.*tide history web/);
    expect(refusal(() => chooseRollbackTarget('web', history, { requested: sha('c') }))).toMatch(/never synced successfully/);
    expect(refusal(() => chooseRollbackTarget('web', history, { requested: 'aaa' }))).toMatch(/not in the kept history/); // too short to abbreviate
    expect(refusal(() => chooseRollbackTarget('web', [entry(sha('a'))], { current: sha('a') }))).toMatch(/no earlier successfully synced revision/);
    const ambiguous = [entry(`abcdef12${'1'.repeat(32)}`), entry(`abcdef12${'2'.repeat(32)}`)];
    expect(refusal(() => chooseRollbackTarget('web', ambiguous, { requested: 'abcdef12' }))).toMatch(/ambiguous/);
  });
});
