import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RedisInstance } from '../../../test/harness/src/index.ts';
import { readAppStates, readBundle, readSyncHistory, redisKeys } from './index.ts';

describe('readers of the per-app keys (schemas, never casts)', () => {
  let server: RedisInstance;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('parses what the syncer writes, keeps fields it adds, and reports a record that does not parse by key and field', async () => {
    await redis.set(redisKeys.syncStatus('a'), JSON.stringify({ app: 'a', revision: 'r', phase: 'Succeeded', startedAt: 's', finishedAt: 'f', durationMs: 1, objects: [], operation: { id: 7 } }));
    await redis.set(redisKeys.appHealth('a'), JSON.stringify({ app: 'a', status: 'Radiant', objects: [], updatedAt: 'u' }));
    await redis.set(redisKeys.paused('a'), 'not json');
    const [a, b] = await readAppStates(redis, ['a', 'b']);
    expect(a.sync).toMatchObject({ revision: 'r', operation: { id: 7 } });
    expect(a.health).toBeUndefined();
    expect(a.unreadable).toEqual([
      { key: redisKeys.appHealth('a'), problem: expect.stringMatching(/^status: /) },
      { key: redisKeys.paused('a'), problem: 'not JSON' },
    ]);
    expect(b).toEqual({ app: 'b', unreadable: [] });
  });

  it('reads history newest first, skipping and reporting entries that do not parse; a missing bundle is undefined', async () => {
    await redis.rpush(redisKeys.history('a'),
      JSON.stringify({ id: 2, app: 'a', revision: 'r2', phase: 'Failed', startedAt: 's', finishedAt: 'f', durationMs: 1, trigger: { kind: 'webhook' } }),
      JSON.stringify({ id: 1, app: 'a' }));
    const { entries, unreadable } = await readSyncHistory(redis, 'a');
    expect(entries.map((entry) => entry.id)).toEqual([2]);
    expect(unreadable).toHaveLength(1);
    expect(await readBundle(redis, redisKeys.bundle('gone'))).toBeUndefined();
  });
});
