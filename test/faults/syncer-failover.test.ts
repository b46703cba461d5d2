// Syncer faults with real processes: two (or three) syncer replicas (services/syncer/src/main.ts) against one
// redis-server and one kube-apiserver; each replica is killed with SIGKILL (no graceful release of anything).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import { createRedisConnection } from '@tidewater/queues';
import { readAppDrift } from '@tidewater/syncer';
import { makeWorkDir, startCluster, startRedis, waitFor, type RedisInstance, type TestCluster } from '../harness/src/index.ts';
import { configMaps, createSyncerFleet, newRevision, writeFaultConfig, type SyncerFleet, type SyncerReplica } from './syncer-replicas.ts';

let redisServer: RedisInstance;
let cluster: TestCluster;
let redis: Redis;
let fleet: SyncerFleet;
let core: CoreV1Api;
let work: ReturnType<typeof makeWorkDir>;
const spreadApps = Array.from({ length: 8 }, (_, index) => `spread-${index}`);

const alive = (replica: SyncerReplica) => replica.process.child.exitCode === null && replica.process.child.signalCode === null;
const eventsOf = async (type: string, app: string, revision?: string): Promise<CloudEvent[]> => (await readAllEvents(redis, 100_000))
  .filter((event) => event.type === type && event.data.app === app && (revision === undefined || event.data.revision === revision));
const configMapValue = (namespace: string, name: string) => core.readNamespacedConfigMap({ namespace, name }).then((found) => found.data?.value, () => undefined);
const countConfigMaps = async (namespace: string, prefix: string) =>
  (await core.listNamespacedConfigMap({ namespace })).items.filter((item) => item.metadata?.name?.startsWith(`${prefix}-`)).length;

async function syncSucceeded(app: string, revision: string, timeoutMs = 90_000): Promise<void> {
  await waitFor(`sync.succeeded of ${app} at ${revision.slice(0, 8)}`, async () => (await eventsOf(eventTypes.syncSucceeded, app, revision)).length > 0, { timeoutMs, intervalMs: 100 });
}

/** An out-of-band edit of a field Tidewater owns, as another field manager forcing its value. */
async function editValue(namespace: string, name: string, value: string): Promise<void> {
  await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { value } });
}

beforeAll(async () => {
  [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'faults-syncer' })]);
  redis = createRedisConnection(redisServer.url, 'worker');
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  work = makeWorkDir('faults-syncer');
  writeFaultConfig(work.dir, cluster, ['heal', 'bulk', 'prune', 'stall', ...spreadApps]);
  // One object at a time, so a sync of a few hundred objects lasts long enough to be killed in its middle.
  fleet = createSyncerFleet({ redisUrl: redisServer.url, producerConnection: redis, configDir: work.dir, logDir: work.dir, env: { APPLY_CONCURRENCY: '1' } });
  await Promise.all([fleet.start('syncer-a'), fleet.start('syncer-b')]);
});

afterAll(async () => {
  await fleet?.close();
  await redis?.quit();
  await Promise.all([cluster?.stop(), redisServer?.stop()]);
  if (!process.env.TIDEWATER_KEEP_LOGS) work?.remove();
});

describe('syncer replicas killed with SIGKILL', () => {
  it('runs live state in exactly one replica; when the leader is killed, the other heals the next drift edit', async () => {
    const revision = newRevision();
    await fleet.requestSync('heal', revision, configMaps('settings', 1, 'desired'));
    await syncSucceeded('heal', revision);
    const leader = await fleet.leader();
    const follower = fleet.replicas.find((replica) => replica !== leader && alive(replica))!;
    expect(await leader.leaderGauge()).toBe(1);
    expect(await follower.leaderGauge()).toBe(0);

    // The leader heals an edit.
    await waitFor('the leader to judge the app in sync', async () => (await readAppDrift(redis, 'heal'))?.outOfSync === false, { timeoutMs: 60_000 });
    await editValue('heal', 'settings-0', 'edited-before-kill');
    await waitFor('the leader to heal the edit', async () => (await configMapValue('heal', 'settings-0')) === 'desired', { timeoutMs: 60_000, intervalMs: 100 });
    const healsBefore = (await eventsOf(eventTypes.driftHealed, 'heal')).length;
    expect(healsBefore).toBeGreaterThanOrEqual(1);

    // kill -9: the leader key is not released; the follower claims it once it expires and heals the next edit.
    leader.process.kill('SIGKILL');
    const killedAt = Date.now();
    await editValue('heal', 'settings-0', 'edited-after-kill');
    await waitFor('the new leader to heal the edit', async () => (await configMapValue('heal', 'settings-0')) === 'desired', { timeoutMs: 90_000, intervalMs: 100 });
    const healAfterKillMs = Date.now() - killedAt;
    console.log(`[faults] syncer leader killed: the next drift edit healed by the new leader after ${healAfterKillMs} ms`);
    expect(await fleet.leader()).toBe(follower);
    expect(await follower.leaderGauge()).toBe(1);
    expect((await eventsOf(eventTypes.driftHealed, 'heal')).length).toBeGreaterThan(healsBefore);
    expect(follower.process.tail(100_000)).toContain('elected syncer leader');

    await fleet.start('syncer-c'); // two replicas again for the next faults
  }, 240_000);

  it('completes a sync on another replica when the replica running it is killed in its middle, once', async () => {
    const revision = newRevision();
    const total = 300;
    await fleet.requestSync('bulk', revision, configMaps('item', total, 'v1'));
    const holder = await waitFor('a replica to start the sync', async () => fleet.replicas.find((replica) => alive(replica) && replica.startedSync('bulk', revision)), { timeoutMs: 60_000, intervalMs: 50 });
    await waitFor('the sync to have applied a few objects', async () => (await countConfigMaps('bulk', 'item').catch(() => 0)) >= 5, { timeoutMs: 60_000, intervalMs: 50 });
    holder.process.kill('SIGKILL');
    const killedAt = Date.now();
    const appliedAtKill = await countConfigMaps('bulk', 'item');
    expect(appliedAtKill).toBeLessThan(total); // killed in the middle, not after
    expect(await eventsOf(eventTypes.syncSucceeded, 'bulk', revision)).toEqual([]);

    await waitFor('another replica to take the sync over', async () => fleet.replicas.some((replica) => replica !== holder && replica.startedSync('bulk', revision)), { timeoutMs: 120_000, intervalMs: 100 });
    const takenOverMs = Date.now() - killedAt;
    await syncSucceeded('bulk', revision, 120_000);
    console.log(`[faults] syncer killed mid-sync (${appliedAtKill}/${total} applied): another replica started it again after ${takenOverMs} ms, completed after ${Date.now() - killedAt} ms`);
    expect(await eventsOf(eventTypes.syncSucceeded, 'bulk', revision)).toHaveLength(1);
    expect(await countConfigMaps('bulk', 'item')).toBe(total);
    expect(fleet.replicas.some((replica) => replica !== holder && replica.startedSync('bulk', revision))).toBe(true);

    await fleet.start('syncer-d');
  }, 240_000);

  it('after a kill mid-prune, the retried sync prunes each object once and self-heal re-creates none', async () => {
    const first = newRevision();
    const total = 200;
    await fleet.requestSync('prune', first, [...configMaps('old', total, 'v1'), ...configMaps('keep', 1, 'v1')]);
    await syncSucceeded('prune', first, 120_000);
    // The leader watches the app, so it would heal a missing object.
    await waitFor('the leader to judge the app in sync', async () => (await readAppDrift(redis, 'prune'))?.outOfSync === false, { timeoutMs: 60_000 });

    const second = newRevision();
    await fleet.requestSync('prune', second, configMaps('keep', 1, 'v2'));
    await waitFor('the first resource.pruned of the new revision', async () => (await eventsOf(eventTypes.resourcePruned, 'prune', second)).length > 0, { timeoutMs: 60_000, intervalMs: 20 });
    const holder = fleet.replicas.find((replica) => alive(replica) && replica.startedSync('prune', second))!;
    expect(holder).toBeDefined();
    holder.process.kill('SIGKILL');
    const killedAt = Date.now();
    const prunedAtKill = (await eventsOf(eventTypes.resourcePruned, 'prune', second)).length;
    expect(prunedAtKill).toBeLessThan(total);

    await syncSucceeded('prune', second, 120_000);
    console.log(`[faults] syncer killed mid-prune (${prunedAtKill}/${total} pruned): the sync completed after ${Date.now() - killedAt} ms`);
    const pruned = (await eventsOf(eventTypes.resourcePruned, 'prune', second)).map((event) => String(event.data.name));
    expect(pruned.length).toBe(total); // none missing, none twice
    expect(new Set(pruned).size).toBe(total);
    expect(await countConfigMaps('prune', 'old')).toBe(0);
    expect(await configMapValue('prune', 'keep-0')).toBe('v2');
    const healedAfterKill = (await eventsOf(eventTypes.driftHealed, 'prune')).filter((event) => Date.parse(event.time) >= killedAt);
    expect(healedAfterKill).toEqual([]);

    await fleet.start('syncer-e');
  }, 300_000);
});

describe('a syncer replica stalled past its locks (SIGSTOP)', () => {
  it('stops before its next apply once another replica took its sync over, so the sync is applied by one holder and reported once', async () => {
    const revision = newRevision();
    const total = 300;
    await fleet.requestSync('stall', revision, configMaps('item', total, 'v1'));
    const holder = await waitFor('a replica to start the sync', async () => fleet.replicas.find((replica) => alive(replica) && replica.startedSync('stall', revision)), { timeoutMs: 60_000, intervalMs: 50 });
    await waitFor('the sync to have applied a few objects', async () => (await countConfigMaps('stall', 'item').catch(() => 0)) >= 5, { timeoutMs: 60_000, intervalMs: 50 });
    holder.process.kill('SIGSTOP');
    const stoppedAt = Date.now();
    try {
      expect(fleet.replicas.filter((replica) => replica !== holder && alive(replica)).length).toBeGreaterThan(0);
      await waitFor('another replica to take the sync over', async () => fleet.replicas.find((replica) => replica !== holder && alive(replica) && replica.startedSync('stall', revision)), { timeoutMs: 90_000, intervalMs: 100 });
      console.log(`[faults] syncer stalled (SIGSTOP) mid-sync: another replica took the sync over after ${Date.now() - stoppedAt} ms`);
    } finally {
      holder.process.kill('SIGCONT');
    }
    await syncSucceeded('stall', revision, 120_000);
    await waitFor('the stalled replica to notice it lost the lock', async () => holder.process.tail(100_000).includes('sync stopped: the application lock was lost before the next apply'), { timeoutMs: 60_000, intervalMs: 100 });
    expect(await eventsOf(eventTypes.syncSucceeded, 'stall', revision)).toHaveLength(1);
    expect(await countConfigMaps('stall', 'item')).toBe(total);
  }, 300_000);
});

describe('sync jobs across replicas', () => {
  it('spreads the syncs of several applications over the replicas, the followers included', async () => {
    const live = fleet.replicas.filter(alive);
    expect(live.length).toBeGreaterThanOrEqual(2);
    const leader = await fleet.leader();
    const revisions = spreadApps.map(() => newRevision());
    await Promise.all(spreadApps.map((app, index) => fleet.requestSync(app, revisions[index], configMaps('item', 40, 'v1'))));
    await Promise.all(spreadApps.map((app, index) => syncSucceeded(app, revisions[index], 180_000)));
    const ranOn = spreadApps.map((app, index) => live.find((replica) => replica.startedSync(app, revisions[index]))?.name);
    console.log(`[faults] ${spreadApps.length} syncs ran on: ${ranOn.join(', ')} (leader ${leader.name})`);
    expect(new Set(ranOn).size).toBeGreaterThanOrEqual(2);
    expect(ranOn.some((name) => name !== leader.name)).toBe(true);
  }, 300_000);
});
