import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createRedisConnection, redisKeys } from '@tidewater/queues';
import { startRedis, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { admitPush, pushedRevisionsKey, recordPushedRevision } from './pause-gate.ts';

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

describe('the pause gate for pushes to an app paused after a rollback', () => {
  it('lets every push through while the app is not paused', async () => {
    expect(await admitPush({ redis }, { app: 'open-app', revision: 'r1' })).toBe('open');
  });

  it('holds commits the app already knew and resumes on a new one, once', async () => {
    const app = 'paused-app';
    const events = createEventPublisher({ redis, source: '/tidewater/gateway' });
    await recordPushedRevision(redis, app, 'v1', 1);
    await recordPushedRevision(redis, app, 'v2', 2);
    await recordPushedRevision(redis, app, 'v2', 3); // a re-delivery keeps the first sighting
    expect(await redis.zscore(pushedRevisionsKey(app), 'v2')).toBe('2');
    await redis.lpush(redisKeys.history(app), JSON.stringify({ id: 1, revision: 'followed-by-renderer' }));
    await redis.set(redisKeys.paused(app), JSON.stringify({ revision: 'v1', by: 'alice', at: 'now', reason: 'rollback', from: 'v2' }));

    for (const revision of ['v1', 'v2', 'followed-by-renderer']) {
      expect(await admitPush({ redis, events }, { app, revision })).toBe('held');
    }
    expect(await redis.exists(redisKeys.paused(app))).toBe(1);

    expect(await admitPush({ redis, events }, { app, revision: 'v3', actor: 'carol', deliveryId: 'd-3' })).toBe('resumed');
    expect(await redis.exists(redisKeys.paused(app))).toBe(0);
    const resumed = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.syncResumed);
    expect(resumed.map((event) => event.data)).toEqual([
      { app, revision: 'v3', actor: 'carol', pausedRevision: 'v1', reason: 'new commit', deliveryId: 'd-3' },
    ]);
    expect(await admitPush({ redis, events }, { app, revision: 'v2' })).toBe('open');
  });
});
