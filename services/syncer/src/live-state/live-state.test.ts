import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { eventTypes } from '@tidewater/events';
import { redisKeys } from '@tidewater/queues';
import { freePort, makeWorkDir, waitFor } from '../../../../test/harness/src/index.ts';
import { configMap, deployment, startLiveStateFixture, type LiveStateFixture } from './test-fixture.ts';
import { waitForHealthAnnotation } from './wait-for-health.ts';

let fixture: LiveStateFixture;

beforeAll(async () => {
  fixture = await startLiveStateFixture({ name: 'live-state' });
});

afterAll(async () => {
  await fixture?.stop();
});

const healthSequence = async (app: string) =>
  (await fixture.eventsOf(app, eventTypes.healthChanged)).map((event) => event.data.health);

describe('live state: health from watches', () => {
  it('reports a rolling Deployment Progressing, then Healthy; a sync waiting for health succeeds only once Healthy', async () => {
    fixture.defineApp('rollout', { namespace: 'rollout', annotations: { [waitForHealthAnnotation]: '30s' } });
    const outcome = await fixture.sync('rollout', [configMap('settings'), deployment('web', 2)]);

    expect(outcome.state).toBe('completed');
    expect(outcome.result?.phase).toBe('Succeeded');
    const health = await fixture.health('rollout');
    expect(health).toMatchObject({ app: 'rollout', status: 'Healthy', revision: outcome.revision });
    expect(health?.objects.map((object) => [object.kind, object.name, object.status])).toEqual(expect.arrayContaining([
      ['ConfigMap', 'settings', 'Healthy'], ['Deployment', 'web', 'Healthy'],
    ]));
    expect(await healthSequence('rollout')).toEqual(['Progressing', 'Healthy']);
    const types = (await fixture.eventsOf('rollout')).map((event) => event.type);
    // The sync reports success after the app became Healthy.
    expect(types.indexOf(eventTypes.syncSucceeded)).toBeGreaterThan(types.lastIndexOf(eventTypes.healthChanged));
    const changed = (await fixture.eventsOf('rollout', eventTypes.healthChanged)).at(-1)!;
    expect(changed.data).toMatchObject({ app: 'rollout', revision: outcome.revision, health: 'Healthy', previous: 'Progressing' });
  });

  it('reports Degraded when a rollout cannot finish, and a sync waiting for health fails with the reason', async () => {
    // How the rollout fails: each pod asks for 1000 CPUs, the one kwok node has 32, so pods stay Pending and the
    // deployment controller marks the rollout ProgressDeadlineExceeded after progressDeadlineSeconds (1 s).
    fixture.defineApp('stuck', { namespace: 'stuck', annotations: { [waitForHealthAnnotation]: '40s' } });
    const outcome = await fixture.sync('stuck', [deployment('hungry', 1, { cpu: '1000', progressDeadlineSeconds: 1 })]);

    expect(outcome.state).toBe('failed');
    expect(outcome.failedReason).toMatch(/stuck is Degraded: .*hungry.*timed out progressing/);
    expect(await fixture.health('stuck')).toMatchObject({ status: 'Degraded', revision: outcome.revision });
    const failed = await fixture.eventsOf('stuck', eventTypes.syncFailed);
    expect(failed).toHaveLength(1);
    expect(failed[0].data.reason).toMatch(/Degraded/);
    expect(await healthSequence('stuck')).toEqual(['Progressing', 'Degraded']);
  });

  it('never reports Healthy for an object whose CRD is missing', async () => {
    fixture.defineApp('widgets', { namespace: 'widgets' });
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gear' }, spec: { size: 3 } };
    const outcome = await fixture.sync('widgets', [configMap('plain'), widget]);

    expect(outcome.state).toBe('failed');
    const health = await waitFor('health of widgets', () => fixture.health('widgets'));
    expect(health.status).toBe('Unknown');
    expect(health.objects.find((object) => object.kind === 'Widget')).toMatchObject({
      status: 'Unknown', message: expect.stringContaining('is its CRD installed?'),
    });
    expect(await healthSequence('widgets')).not.toContain('Healthy');
  });
});

/** A TCP pass-through to the API server that can refuse and cut connections, as an API server restart does. */
async function startOutageProxy(target: URL) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const listen = () => new Promise<void>((resolveListen, reject) => {
    if (server?.listening) {
      resolveListen();
      return;
    }
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  await listen();
  return {
    url: `https://127.0.0.1:${port}`,
    async down() {
      await new Promise<void>((resolveClose) => {
        server!.close(() => resolveClose());
        for (const socket of sockets) socket.destroy();
      });
    },
    up: listen,
  };
}

describe('live state: watches that drop', () => {
  it('re-establishes a dropped watch and keeps detecting changes', async () => {
    fixture.defineApp('dropped', { namespace: 'dropped' });
    await fixture.sync('dropped', [configMap('flaky')]);
    await waitFor('dropped Healthy', async () => (await fixture.health('dropped'))?.status === 'Healthy');
    const restoredBefore = (await fixture.eventsOf(undefined, eventTypes.watchRestored)).length;

    fixture.syncer.liveState!.interruptWatches();
    await waitFor('the watch to be re-established', async () => {
      const watches = fixture.syncer.liveState!.watches().filter((watch) => watch.resource === 'configmaps');
      return watches.length > 0 && watches.every((watch) => watch.status.phase === 'ready')
        && (await fixture.eventsOf(undefined, eventTypes.watchRestored)).length > restoredBefore;
    });
    // A change after the drop is still seen: drift of the out-of-band edit is reported.
    await fixture.patch('/api/v1/namespaces/dropped/configmaps/flaky', { data: { key: 'edited' } });
    const detected = await waitFor('drift of flaky', async () => (await fixture.eventsOf('dropped', eventTypes.driftDetected))[0]);
    expect(detected.data.objects).toEqual([expect.objectContaining({ kind: 'ConfigMap', name: 'flaky', fields: ['data.key'] })]);
  });

  it('reports Unknown while the API server is unreachable, then recovers and sees what changed meanwhile', async () => {
    const proxy = await startOutageProxy(new URL(fixture.cluster.server));
    const work = makeWorkDir('outage');
    try {
      const kubeconfig = readFileSync(fixture.cluster.kubeconfigPath, 'utf8').replace(fixture.cluster.server, proxy.url);
      const kubeconfigPath = join(work.dir, 'kubeconfig');
      writeFileSync(kubeconfigPath, kubeconfig);
      fixture.config.clusters.push({
        apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'proxied' }, spec: { server: proxy.url, kubeconfigRef: { file: kubeconfigPath } },
      });
      const application = fixture.defineApp('outage', { namespace: 'outage' });
      application.spec.destination = { name: 'proxied', namespace: 'outage' };
      await fixture.sync('outage', [configMap('steady'), configMap('doomed')]);
      await waitFor('outage Healthy', async () => (await fixture.health('outage'))?.status === 'Healthy');

      await proxy.down();
      const unknown = await waitFor('outage Unknown', async () => {
        const health = await fixture.health('outage');
        return health?.status === 'Unknown' ? health : undefined;
      }, { timeoutMs: 20_000 });
      expect(unknown.objects[0].message).toMatch(/watch of configmaps on cluster proxied is not working/);
      expect((await fixture.eventsOf(undefined, eventTypes.watchFailed)).some((event) => event.data.cluster === 'proxied')).toBe(true);

      // Changed while Tidewater could not watch: found once the watch is back.
      await fixture.request('DELETE', '/api/v1/namespaces/outage/configmaps/doomed');
      await proxy.up();
      const missing = await waitFor('doomed reported Missing', async () => {
        const health = await fixture.health('outage');
        return health?.status === 'Missing' ? health : undefined;
      }, { timeoutMs: 20_000 });
      expect(missing.objects.find((object) => object.name === 'doomed')?.status).toBe('Missing');
      expect(missing.objects.find((object) => object.name === 'steady')?.status).toBe('Healthy');
      expect(await healthSequence('outage')).toEqual(['Healthy', 'Unknown', 'Missing']);
      const drift = JSON.parse((await fixture.redis.get(redisKeys.appDrift('outage')))!);
      expect(drift).toMatchObject({ outOfSync: true, objects: [expect.objectContaining({ missing: true, ref: expect.objectContaining({ name: 'doomed' }) })] });
    } finally {
      await proxy.up();
      work.remove();
    }
  });
});
