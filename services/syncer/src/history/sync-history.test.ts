import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisConnection, redisKeys, type SyncResult } from '@tidewater/queues';
import { startRedis, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { defaultHistoryLimit, historyLimitOf, lastHistoryId, readHistory, recordSyncHistory } from './sync-history.ts';

let redisServer: RedisInstance;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = createRedisConnection(redisServer.url, 'worker');
});
afterAll(async () => {
  await redis?.quit();
  await redisServer?.stop();
});

let appCounter = 0;
const freshApp = () => `history-app-${++appCounter}-${Date.now()}`;

function result(app: string, revision: string, phase: SyncResult['phase'] = 'Succeeded', trigger: SyncResult['trigger'] = { kind: 'webhook', actor: 'alice', deliveryId: 'd-1' }): SyncResult {
  return {
    app, revision, phase, startedAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:00:01.000Z', durationMs: 1000,
    objects: [{ group: '', kind: 'ConfigMap', name: 'x', namespace: 'y', outcome: 'created' }], trigger,
    ...(phase === 'Failed' ? { message: 'apply of ConfigMap y/x was rejected' } : {}),
  };
}

describe('sync history', () => {
  it('keeps the newest syncs first with revision, phase, trigger, actor and bundle', async () => {
    const app = freshApp();
    await recordSyncHistory(redis, result(app, 'aaa'), { limit: 10, bundleKey: 'tidewater:bundle:1' });
    await recordSyncHistory(redis, result(app, 'bbb', 'Failed', { kind: 'rollback', actor: 'bob' }), { limit: 10, bundleKey: 'tidewater:bundle:2' });
    const history = await readHistory(redis, app);
    expect(history.map((entry) => [entry.id, entry.revision, entry.phase])).toEqual([[2, 'bbb', 'Failed'], [1, 'aaa', 'Succeeded']]);
    expect(history[0]).toMatchObject({
      app, trigger: { kind: 'rollback', actor: 'bob' }, message: 'apply of ConfigMap y/x was rejected', bundleKey: 'tidewater:bundle:2',
      startedAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:00:01.000Z', durationMs: 1000,
    });
    expect(history[1].trigger).toEqual({ kind: 'webhook', actor: 'alice', deliveryId: 'd-1' });
    expect(await lastHistoryId(redis, app)).toBe(2);
  });

  it('trims to the limit while ids keep counting', async () => {
    const app = freshApp();
    for (let i = 1; i <= 14; i++) await recordSyncHistory(redis, result(app, `rev-${i}`), { limit: defaultHistoryLimit });
    const history = await readHistory(redis, app);
    expect(history).toHaveLength(10);
    expect(history[0]).toMatchObject({ id: 14, revision: 'rev-14' });
    expect(history.at(-1)).toMatchObject({ id: 5, revision: 'rev-5' });
    expect(await redis.llen(redisKeys.history(app))).toBe(10);

    await recordSyncHistory(redis, result(app, 'rev-15'), { limit: 3 });
    expect((await readHistory(redis, app)).map((entry) => entry.revision)).toEqual(['rev-15', 'rev-14', 'rev-13']);
    expect((await readHistory(redis, app, 2)).map((entry) => entry.revision)).toEqual(['rev-15', 'rev-14']);
  });

  it('records nothing for a superseded sync, and keeps nothing with a limit of 0', async () => {
    const app = freshApp();
    expect(await recordSyncHistory(redis, result(app, 'old', 'Superseded'), { limit: 10 })).toBeUndefined();
    expect(await readHistory(redis, app)).toEqual([]);
    await recordSyncHistory(redis, result(app, 'one'), { limit: 10 });
    await recordSyncHistory(redis, result(app, 'two'), { limit: 0 });
    expect(await readHistory(redis, app)).toEqual([]);
  });

  it('takes the limit from spec.revisionHistoryLimit, else 10', () => {
    const spec = (revisionHistoryLimit?: number) => ({ spec: { revisionHistoryLimit } }) as unknown as Parameters<typeof historyLimitOf>[0];
    expect(historyLimitOf(spec(3))).toBe(3);
    expect(historyLimitOf(spec(0))).toBe(0);
    expect(historyLimitOf(spec(undefined))).toBe(10);
    expect(historyLimitOf(undefined)).toBe(10);
  });
});
