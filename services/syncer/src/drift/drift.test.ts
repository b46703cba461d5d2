import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '@tidewater/events';
import { waitFor } from '../../../../test/harness/src/index.ts';
import { configMap, deployment, startLiveStateFixture, type LiveStateFixture } from '../live-state/test-fixture.ts';
import { readAppDrift } from './app-drift.ts';

let fixture: LiveStateFixture;

beforeAll(async () => {
  fixture = await startLiveStateFixture({ name: 'drift' });
});

afterAll(async () => {
  await fixture?.stop();
});

const deploymentPath = (namespace: string, name: string) => `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
const configMapPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`;
const replicasOf = async (namespace: string, name: string) =>
  ((await fixture.request('GET', deploymentPath(namespace, name))).body.spec as { replicas: number }).replicas;

async function syncedAndJudged(app: string) {
  await waitFor(`${app} judged`, async () => (await readAppDrift(fixture.redis, app))?.outOfSync === false);
}

describe('drift of the fields Tidewater owns', () => {
  it('detects an out-of-band replica change by another field manager and heals it with selfHeal', async () => {
    fixture.defineApp('healing', { namespace: 'healing', selfHeal: true });
    await fixture.sync('healing', [deployment('web', 3)]);
    await syncedAndJudged('healing');

    // What `kubectl edit` / `kubectl scale --type merge` sends: a JSON merge patch under another field manager.
    await fixture.patch(deploymentPath('healing', 'web'), { spec: { replicas: 5 } }, 'kubectl-edit');

    const detected = await waitFor('drift detected', async () => (await fixture.eventsOf('healing', eventTypes.driftDetected))[0]);
    expect(detected.data).toMatchObject({
      app: 'healing', selfHeal: true,
      objects: [{ group: 'apps', kind: 'Deployment', namespace: 'healing', name: 'web', fields: ['spec.replicas'], managers: ['kubectl-edit'] }],
    });
    const healed = await waitFor('drift healed', async () => (await fixture.eventsOf('healing', eventTypes.driftHealed))[0]);
    expect(healed.data.objects).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', fields: ['spec.replicas'] })]);
    expect(await replicasOf('healing', 'web')).toBe(3);
    await syncedAndJudged('healing');
    // One drift, one heal: Tidewater's own applies (the sync, the heal) and status updates are not drift.
    expect(await fixture.eventsOf('healing', eventTypes.driftDetected)).toHaveLength(1);
    expect(await fixture.eventsOf('healing', eventTypes.driftHealed)).toHaveLength(1);
  });

  it('detects `kubectl scale` through the scale subresource (its managedFields entry has no time)', async () => {
    fixture.defineApp('scaled', { namespace: 'scaled', selfHeal: true });
    await fixture.sync('scaled', [deployment('web', 2)]);
    await syncedAndJudged('scaled');
    await fixture.patch(`${deploymentPath('scaled', 'web')}/scale`, { spec: { replicas: 7 } }, 'kubectl');
    const detected = await waitFor('drift detected', async () => (await fixture.eventsOf('scaled', eventTypes.driftDetected))[0]);
    expect(detected.data.objects).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', fields: ['spec.replicas'] })]);
    await waitFor('healed back to 2 replicas', async () => (await replicasOf('scaled', 'web')) === 2);
  });

  it('only reports drift without selfHeal (warn mode)', async () => {
    fixture.defineApp('warned', { namespace: 'warned' });
    await fixture.sync('warned', [deployment('web', 3, { labels: { team: 'blue' } })]);
    await syncedAndJudged('warned');

    await fixture.patch(deploymentPath('warned', 'web'), { metadata: { labels: { team: 'red' } }, spec: { replicas: 5 } }, 'kubectl-edit');

    const drift = await waitFor('drift stored', async () => {
      const current = await readAppDrift(fixture.redis, 'warned');
      return current?.outOfSync ? current : undefined;
    });
    expect(drift.objects).toEqual([expect.objectContaining({
      ref: expect.objectContaining({ kind: 'Deployment', name: 'web' }), fields: ['metadata.labels.team', 'spec.replicas'],
    })]);
    const detected = await fixture.eventsOf('warned', eventTypes.driftDetected);
    expect(detected).toHaveLength(1);
    expect(detected[0].data).toMatchObject({ selfHeal: false });
    expect(await replicasOf('warned', 'web')).toBe(5);
    expect(await fixture.eventsOf('warned', eventTypes.driftHealed)).toEqual([]);
  });

  it('recreates a deleted object with selfHeal', async () => {
    fixture.defineApp('recreated', { namespace: 'recreated', selfHeal: true });
    await fixture.sync('recreated', [configMap('settings', { mode: 'fast' })]);
    await syncedAndJudged('recreated');

    expect((await fixture.request('DELETE', configMapPath('recreated', 'settings'))).status).toBe(200);

    const detected = await waitFor('drift detected', async () => (await fixture.eventsOf('recreated', eventTypes.driftDetected))[0]);
    expect(detected.data.objects).toEqual([expect.objectContaining({ kind: 'ConfigMap', name: 'settings', missing: true, fields: [] })]);
    await waitFor('drift healed', async () => (await fixture.eventsOf('recreated', eventTypes.driftHealed))[0]);
    const recreated = await waitFor('settings recreated', async () => {
      const response = await fixture.request('GET', configMapPath('recreated', 'settings'));
      return response.status === 200 ? response.body : undefined;
    });
    expect(recreated.data).toEqual({ mode: 'fast' });
    await waitFor('recreated Healthy', async () => (await fixture.health('recreated'))?.status === 'Healthy');
  });

  it('reports a deleted object as Missing without selfHeal', async () => {
    fixture.defineApp('lost', { namespace: 'lost' });
    await fixture.sync('lost', [configMap('settings'), configMap('other')]);
    await waitFor('lost Healthy', async () => (await fixture.health('lost'))?.status === 'Healthy');

    await fixture.request('DELETE', configMapPath('lost', 'settings'));

    const health = await waitFor('lost Missing', async () => {
      const current = await fixture.health('lost');
      return current?.status === 'Missing' ? current : undefined;
    });
    expect(health.objects.find((object) => object.name === 'settings')?.status).toBe('Missing');
    const changed = (await fixture.eventsOf('lost', eventTypes.healthChanged)).at(-1)!;
    expect(changed.data).toMatchObject({ health: 'Missing', previous: 'Healthy' });
    const drift = await waitFor('drift stored', async () => {
      const current = await readAppDrift(fixture.redis, 'lost');
      return current?.outOfSync ? current : undefined;
    });
    expect(drift.objects).toEqual([expect.objectContaining({ missing: true, ref: expect.objectContaining({ name: 'settings' }) })]);
    expect((await fixture.request('GET', configMapPath('lost', 'settings'))).status).toBe(404);
  });

  it('backs off and says so when another controller keeps changing what it heals', async () => {
    fixture.defineApp('fought', { namespace: 'fought', selfHeal: true });
    await fixture.sync('fought', [deployment('web', 2)]);
    await syncedAndJudged('fought');

    // Another controller that insists on 4 replicas, as a misconfigured autoscaler would.
    let fighting = true;
    const fighter = (async () => {
      while (fighting) {
        if (await replicasOf('fought', 'web') !== 4) await fixture.patch(deploymentPath('fought', 'web'), { spec: { replicas: 4 } }, 'rogue-autoscaler');
        await new Promise((resolveLater) => setTimeout(resolveLater, 20));
      }
    })();
    try {
      const contested = await waitFor('drift contested', async () => (await fixture.eventsOf('fought', eventTypes.driftContested))[0], { timeoutMs: 30_000 });
      expect(contested.data).toMatchObject({
        app: 'fought', manager: 'rogue-autoscaler', heals: 3,
        object: expect.objectContaining({ kind: 'Deployment', name: 'web', fields: ['spec.replicas'] }),
      });
      expect(contested.data.retryInMs).toBeGreaterThan(0);
      expect(await fixture.eventsOf('fought', eventTypes.driftHealed)).toHaveLength(3);
    } finally {
      fighting = false;
      await fighter;
    }
  });
});
