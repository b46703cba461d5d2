import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisConnection, subscribeConfigChanges, type ConfigChange } from '@tidewater/queues';
import { startRedis, waitFor, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { announceConfigSourcePush } from './config-source-push.ts';
import type { NormalisedPush } from './normalised-push.ts';

let server: RedisInstance;
let redis: Redis;
let subscription: { close(): Promise<void> };
const received: ConfigChange[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = createRedisConnection(server.url, 'worker');
  subscription = subscribeConfigChanges(server.url, (change) => received.push(change));
  // The subscription is live once a probe published through it arrives.
  await waitFor('the subscription', async () => {
    await redis.publish('tidewater:config:changed', JSON.stringify({ repoURL: 'probe', revision: 'probe' }));
    return received.some((change) => change.repoURL === 'probe') || undefined;
  });
});
afterAll(async () => {
  await subscription?.close();
  await redis?.quit();
  await server?.stop();
});

const push = (fields: Partial<NormalisedPush>): NormalisedPush => ({
  provider: 'github', deliveryId: 'd1', repoUrls: ['https://git.example.com/platform/config'], ref: 'refs/heads/main', branch: 'main',
  before: '0'.repeat(40), after: 'a'.repeat(40), revision: 'a'.repeat(40), deleted: false, changedPaths: undefined, ...fields,
});

describe('a push to the git:: configuration repository', () => {
  const source = 'git::https://robot:s3cret@git.example.com/platform/config.git//tidewater?ref=main';

  it('is announced for the followed ref, without the credentials of the source URL', async () => {
    expect(await announceConfigSourcePush(redis, source, [push({})])).toBe('a'.repeat(40));
    const change = await waitFor('the announcement', () => received.find((item) => item.revision === 'a'.repeat(40)));
    expect(change.repoURL).toBe('https://git.example.com/platform/config.git');
  });

  it('is not announced for another branch, another repository, a deleted ref or a directory source', async () => {
    expect(await announceConfigSourcePush(redis, source, [push({ ref: 'refs/heads/feature', branch: 'feature' })])).toBeUndefined();
    expect(await announceConfigSourcePush(redis, source, [push({ repoUrls: ['https://git.example.com/platform/other'] })])).toBeUndefined();
    expect(await announceConfigSourcePush(redis, source, [push({ deleted: true })])).toBeUndefined();
    expect(await announceConfigSourcePush(redis, '/etc/tidewater/config', [push({})])).toBeUndefined();
    // HEAD follows the default branch only.
    const head = 'git::https://git.example.com/platform/config.git';
    expect(await announceConfigSourcePush(redis, head, [push({ ref: 'refs/heads/feature', branch: 'feature', defaultBranch: 'main' })])).toBeUndefined();
    expect(await announceConfigSourcePush(redis, head, [push({ defaultBranch: 'main', revision: 'b'.repeat(40) })])).toBe('b'.repeat(40));
  });
});
