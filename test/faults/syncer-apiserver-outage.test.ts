// The kube-apiserver down for about a minute while a push is accepted: the syncer keeps the work (level-triggered),
// reports the failure while it lasts, and applies the push exactly once after the apiserver returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import { createRedisConnection, redisKeys, type SyncResult } from '@tidewater/queues';
import { makeWorkDir, startCluster, startRedis, waitFor, type RedisInstance, type TestCluster } from '../harness/src/index.ts';
import { configMaps, createSyncerFleet, newRevision, writeFaultConfig, type SyncerFleet } from './syncer-replicas.ts';

/** How long the apiserver stays down (the fault, not a wait for a condition). */
const outageMs = Number(process.env.FAULT_APISERVER_OUTAGE_MS ?? 60_000);

let redisServer: RedisInstance;
let cluster: TestCluster;
let redis: Redis;
let fleet: SyncerFleet;
let work: ReturnType<typeof makeWorkDir>;

const eventsOf = async (type: string, app: string, revision: string): Promise<CloudEvent[]> => (await readAllEvents(redis, 100_000))
  .filter((event) => event.type === type && event.data.app === app && event.data.revision === revision);
const status = async (app: string) => {
  const raw = await redis.get(redisKeys.syncStatus(app));
  return raw ? (JSON.parse(raw) as SyncResult) : undefined;
};

beforeAll(async () => {
  [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'faults-outage' })]);
  if (!cluster.stopApiServer || !cluster.startApiServer) throw new Error('this fault needs the local control plane (it stops and starts the kube-apiserver)');
  redis = createRedisConnection(redisServer.url, 'worker');
  work = makeWorkDir('faults-outage');
  writeFaultConfig(work.dir, cluster, ['outage']);
  fleet = createSyncerFleet({ redisUrl: redisServer.url, producerConnection: redis, configDir: work.dir, logDir: work.dir });
  await Promise.all([fleet.start('syncer-a'), fleet.start('syncer-b')]);
});

afterAll(async () => {
  await fleet?.close();
  await redis?.quit();
  await Promise.all([cluster?.stop(), redisServer?.stop()]);
  if (!process.env.TIDEWATER_KEEP_LOGS) work?.remove();
});

describe('kube-apiserver outage', () => {
  it('applies a push accepted while the apiserver was down, once, after it returns; the failure is reported meanwhile', async () => {
    const before = newRevision();
    await fleet.requestSync('outage', before, configMaps('settings', 2, 'before'));
    await waitFor('the first sync', async () => (await eventsOf(eventTypes.syncSucceeded, 'outage', before)).length === 1, { timeoutMs: 90_000 });

    await cluster.stopApiServer!();
    const stoppedAt = Date.now();
    const revision = newRevision();
    await fleet.requestSync('outage', revision, configMaps('settings', 3, 'after'));

    // Reported while it lasts: sync.failed once, a retry-scheduled event per attempt, the status says it is retried.
    await waitFor('sync.failed and two scheduled retries', async () => (await eventsOf(eventTypes.syncFailed, 'outage', revision)).length === 1
      && (await eventsOf(eventTypes.syncRetryScheduled, 'outage', revision)).length >= 2, { timeoutMs: 60_000, intervalMs: 200 });
    expect(await status('outage')).toMatchObject({ revision, phase: 'Failed', message: expect.stringContaining('retried until applied') });

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageMs - (Date.now() - stoppedAt))));
    expect(await eventsOf(eventTypes.syncSucceeded, 'outage', revision)).toEqual([]);
    const attemptsDuringOutage = (await eventsOf(eventTypes.syncRetryScheduled, 'outage', revision)).length;
    const restartedAt = Date.now();
    await cluster.startApiServer!();
    const readyAt = Date.now();
    console.log(`[faults] kube-apiserver down ${restartedAt - stoppedAt} ms (${readyAt - restartedAt} ms more to /readyz); ${attemptsDuringOutage} sync attempts failed meanwhile`);

    await waitFor('the accepted push to be applied', async () => (await eventsOf(eventTypes.syncSucceeded, 'outage', revision)).length > 0, { timeoutMs: 120_000, intervalMs: 200 });
    const applied = (await eventsOf(eventTypes.syncSucceeded, 'outage', revision))[0];
    console.log(`[faults] kube-apiserver restarted: the accepted push applied ${Date.parse(applied.time) - restartedAt} ms after the restart began`);
    expect(await eventsOf(eventTypes.syncSucceeded, 'outage', revision)).toHaveLength(1);
    expect(await status('outage')).toMatchObject({ revision, phase: 'Succeeded' });
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const live = await core.listNamespacedConfigMap({ namespace: 'outage' });
    expect(live.items.filter((item) => item.metadata?.name?.startsWith('settings-')).map((item) => item.data?.value)).toEqual(['after', 'after', 'after']);
  }, 360_000);
});
