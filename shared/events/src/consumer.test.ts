import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type RedisInstance } from '../../../test/harness/src/index.ts';
import { createEventConsumer, createEventPublisher, type StreamEntry } from './index.ts';

describe('event consumer groups', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('gives each group every event once, and a restarted consumer loses nothing', async () => {
    const publisher = createEventPublisher({ redis, source: '/test' });
    for (let i = 0; i < 5; i++) await publisher.publish({ type: 'dev.tidewater.test', data: { app: 'a', n: i } });

    const seenA: number[] = [];
    let crashAt = 2;
    const flaky = createEventConsumer({
      redis, group: 'audit', consumer: 'one', claimIdleMs: 0,
      handle: async ({ event }: StreamEntry) => {
        if (event.data.n === crashAt) throw new Error('crash');
        seenA.push(event.data.n as number);
      },
    });
    expect(await flaky.drainOnce()).toBe(2);
    expect(seenA).toEqual([0, 1]);
    crashAt = -1;
    // A second member of the group takes over the pending entry and continues in order.
    const successor = createEventConsumer({ redis, group: 'audit', consumer: 'two', claimIdleMs: 0, handle: async ({ event }) => void seenA.push(event.data.n as number) });
    await successor.drainOnce();
    expect(seenA).toEqual([0, 1, 2, 3, 4]);

    const seenB: number[] = [];
    const other = createEventConsumer({ redis, group: 'notify', consumer: 'x', handle: async ({ event }) => void seenB.push(event.data.n as number) });
    await other.drainOnce();
    expect(seenB).toEqual([0, 1, 2, 3, 4]);
    expect(await other.drainOnce()).toBe(0);
  });
});
