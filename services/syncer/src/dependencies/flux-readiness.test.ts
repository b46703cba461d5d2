import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisConnection, redisKeys } from '@tidewater/queues';
import { startRedis, type RedisInstance } from '../../../../test/harness/src/index.ts';
import type { ClusterClient } from '../clusters/cluster-registry.ts';
import { waitForFluxReadiness } from './flux-readiness.ts';

// `wait: true` readiness reads the live state's health in Redis only (healthChecks against a real cluster are in
// test/e2e/flux-health.test.ts), so no cluster is contacted here: the client is never used.
const noCluster = {} as ClusterClient;

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

let counter = 0;
const freshApp = () => `flux-ready-${++counter}-${Date.now()}`;
const readiness = { wait: true, healthChecks: [], timeoutMs: 600 };
async function health(app: string, revision: string, status: string) {
  const objects = [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'api', status, ...(status === 'Healthy' ? {} : { message: '0 of 1 updated replicas are available' }) }];
  await redis.set(redisKeys.appHealth(app), JSON.stringify({ app, revision, status, objects, updatedAt: new Date().toISOString() }));
}

describe('waitForFluxReadiness (wait: true)', () => {
  it('is ready once the live state reports the revision Healthy', async () => {
    const app = freshApp();
    await health(app, 'r1', 'Healthy');
    expect(await waitForFluxReadiness({ redis, cluster: noCluster, app, revision: 'r1', readiness })).toEqual({ result: 'ready' });
  });

  it('times out naming the objects still not ready (health of an older revision does not count)', async () => {
    const app = freshApp();
    await health(app, 'r0', 'Healthy');
    const stale = await waitForFluxReadiness({ redis, cluster: noCluster, app, revision: 'r1', readiness });
    expect(stale).toMatchObject({ result: 'timeout', notReady: ['health not assessed yet at this revision'] });
    await health(app, 'r1', 'Progressing');
    const waited = await waitForFluxReadiness({ redis, cluster: noCluster, app, revision: 'r1', readiness });
    expect(waited).toMatchObject({ result: 'timeout' });
    expect(waited.result === 'timeout' && waited.reason).toBe('health check failed after 1s (Flux timeout), not ready: Deployment web/api (Progressing: 0 of 1 updated replicas are available)');
  });

  it('stops for a newer desired revision, and says so when the sync is terminated', async () => {
    const app = freshApp();
    await redis.set(redisKeys.desiredRevision(app), JSON.stringify({ revision: 'r2', at: new Date().toISOString() }));
    expect(await waitForFluxReadiness({ redis, cluster: noCluster, app, revision: 'r1', readiness })).toEqual({ result: 'superseded', revision: 'r2' });
    const other = freshApp();
    const aborted = await waitForFluxReadiness({ redis, cluster: noCluster, app: other, revision: 'r1', readiness: { ...readiness, timeoutMs: 60_000 }, signal: AbortSignal.abort() });
    expect(aborted.result === 'timeout' && aborted.reason).toMatch(/^the sync was terminated while waiting for the Flux health check/);
  });
});
