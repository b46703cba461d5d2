import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startRedis, waitFor, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { AppLockLost, appLockKey, tryAcquireAppLock } from '../sync/app-lock.ts';
import { createLeaderElection, leaderKey, type LeaderElection } from './leader-election.ts';

let redisServer: RedisInstance;
let redis: Redis;
const logger = createLogger('leader-test', { level: 'silent' });

beforeAll(async () => {
  redisServer = await startRedis();
  redis = createRedisConnection(redisServer.url, 'worker');
});

afterAll(async () => {
  await redis?.quit();
  await redisServer?.stop();
});

describe('syncer leader election', () => {
  it('elects one replica; when its key lapses the other takes over with a greater fencing token and the old one stands down', async () => {
    const log: string[] = [];
    const replica = (identity: string): LeaderElection => createLeaderElection({
      redis, logger, identity, ttlMs: 1_000, retryMs: 100,
      onElected: (term) => void log.push(`${identity} elected ${term}`),
      onDeposed: (term) => void log.push(`${identity} deposed ${term}`),
    });
    const first = replica('first');
    const second = replica('second');
    await first.start();
    await second.start();
    try {
      expect(first.term()).toBeGreaterThan(0);
      expect(second.term()).toBeUndefined();
      expect(await first.stillLeads()).toBe(true);
      const firstTerm = first.term()!;

      // Another writer takes the key (as after an expiry during a stall): the old leader stops at its next renewal.
      await redis.set(leaderKey, `${firstTerm + 100}:intruder`, 'PX', 500);
      expect(await first.stillLeads()).toBe(false);
      await waitFor('the first replica to stand down', async () => first.term() === undefined, { timeoutMs: 10_000, intervalMs: 20 });
      await waitFor('a new leader after the intruder key expires', async () => (first.term() ?? second.term()) !== undefined, { timeoutMs: 10_000, intervalMs: 20 });
      const newTerm = (first.term() ?? second.term())!;
      expect(newTerm).toBeGreaterThan(firstTerm);
      expect(log).toContain(`first deposed ${firstTerm}`);
    } finally {
      await first.close();
      await second.close();
    }
    expect(await redis.exists(leaderKey)).toBe(0);
  });
});

describe('fenced application lock', () => {
  it('gives each holder a greater fencing token, and tells an old holder it lost the lock once another took it', async () => {
    const first = (await tryAcquireAppLock(redis, 'fenced', { ttlMs: 60_000 }))!;
    expect(await tryAcquireAppLock(redis, 'fenced')).toBeUndefined();
    await first.assertHeld();
    // The lock expires during a stall and another holder takes it.
    await redis.del(appLockKey('fenced'));
    const second = (await tryAcquireAppLock(redis, 'fenced', { ttlMs: 60_000 }))!;
    expect(second.fence).toBeGreaterThan(first.fence);
    await expect(first.assertHeld()).rejects.toBeInstanceOf(AppLockLost);
    await second.assertHeld();
    await first.release(); // not ours any more: leaves the new holder's lock alone
    expect(await redis.exists(appLockKey('fenced'))).toBe(1);
    await second.release();
    expect(await redis.exists(appLockKey('fenced'))).toBe(0);
  });
});
