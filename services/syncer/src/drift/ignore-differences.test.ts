// spec.ignoreDifferences end to end against a real kube-apiserver: an autoscaler-like field manager changes what
// the rules ignore → no drift, no self-heal fight, no difference in `tide diff`; RespectIgnoreDifferences keeps the
// live value through syncs and heals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceIgnoreDifferences } from '@tidewater/config';
import { eventTypes } from '@tidewater/events';
import type { KubernetesObject } from '@tidewater/queues';
import { waitFor } from '../../../../test/harness/src/index.ts';
import { computeAppDiff } from '../diff/compute-app-diff.ts';
import { configMap, deployment, startLiveStateFixture, type LiveStateFixture } from '../live-state/test-fixture.ts';
import { readAppDrift } from './app-drift.ts';

let fixture: LiveStateFixture;

beforeAll(async () => {
  fixture = await startLiveStateFixture({ name: 'ignore-diff', workloads: false });
});

afterAll(async () => {
  await fixture?.stop();
});

const deploymentPath = (namespace: string, name: string) => `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
const configMapPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`;

async function readDeployment(namespace: string, name: string) {
  return (await fixture.request('GET', deploymentPath(namespace, name))).body as KubernetesObject & {
    spec: { replicas: number; template: { spec: { containers: Array<{ name: string; image: string }> } } };
  };
}

function defineApp(name: string, ignoreDifferences: ResourceIgnoreDifferences[] | undefined, options: { selfHeal?: boolean; respect?: boolean } = {}) {
  const application = fixture.defineApp(name, { namespace: name, selfHeal: options.selfHeal ?? true });
  if (ignoreDifferences) application.spec.ignoreDifferences = ignoreDifferences;
  if (options.respect) application.spec.syncPolicy!.syncOptions!.push('RespectIgnoreDifferences=true');
  return application;
}

async function syncedAndJudged(app: string, objects: KubernetesObject[]) {
  const synced = await fixture.sync(app, objects);
  expect(synced.result?.phase).toBe('Succeeded');
  await waitFor(`${app} judged`, async () => (await readAppDrift(fixture.redis, app))?.outOfSync === false);
  return synced;
}

/** What an HPA does: `spec.replicas` through the scale subresource, as kube-controller-manager. */
async function scaleAsAutoscaler(namespace: string, name: string, replicas: number) {
  await fixture.patch(`${deploymentPath(namespace, name)}/scale`, { spec: { replicas } }, 'kube-controller-manager');
}

/**
 * A change drift must see, made after the change it must not see: once it has been healed, the live state has
 * evaluated the application past the earlier change.
 */
async function canaryHealed(app: string) {
  await fixture.patch(configMapPath(app, 'canary'), { data: { key: 'changed' } }, 'kubectl-edit');
  await waitFor(`${app} canary healed`, async () => (await fixture.eventsOf(app, eventTypes.driftHealed))
    .some((event) => (event.data.objects as Array<{ kind: string }>).some((object) => object.kind === 'ConfigMap')));
}

const driftedKinds = async (app: string) => (await fixture.eventsOf(app, eventTypes.driftDetected))
  .flatMap((event) => (event.data.objects as Array<{ kind: string; fields: string[] }>).map((object) => `${object.kind}:${object.fields.join(',')}`));

const diffStatus = async (app: string, kind: string, name: string) => {
  const diff = await computeAppDiff({ app }, { config: () => fixture.config, redis: fixture.redis, clusters: fixture.clusters, prefix: fixture.prefix });
  return diff.objects.find((object) => object.kind === kind && object.name === name);
};

describe('spec.ignoreDifferences', () => {
  it('jsonPointers /spec/replicas: an autoscaler scaling the Deployment is no drift, no heal and no diff', async () => {
    defineApp('pointer', [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]);
    await syncedAndJudged('pointer', [deployment('web', 3), configMap('canary')]);

    await scaleAsAutoscaler('pointer', 'web', 7);
    await canaryHealed('pointer');

    expect(await driftedKinds('pointer')).toEqual(['ConfigMap:data.key']);
    expect((await readDeployment('pointer', 'web')).spec.replicas).toBe(7);
    expect(await readAppDrift(fixture.redis, 'pointer')).toMatchObject({ outOfSync: false, objects: [] });
    expect(await diffStatus('pointer', 'Deployment', 'web')).toMatchObject({ status: 'unchanged', diff: '' });
  });

  it('managedFieldsManagers [kube-controller-manager]: replicas it applies are ignored; other changes to the object are still drift', async () => {
    defineApp('managers', [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager'] }], { selfHeal: false });
    await syncedAndJudged('managers', [deployment('web', 2, { labels: { team: 'blue' } }), configMap('canary')]);

    // A server-side apply that takes spec.replicas over, as a controller using SSA would.
    const transport = fixture.clusters.byName('test')!.transport;
    const applied = await transport.request({
      method: 'PATCH', path: `${deploymentPath('managers', 'web')}?fieldManager=kube-controller-manager&force=true`,
      contentType: 'application/apply-patch+yaml', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'managers' }, spec: { replicas: 6 } },
    });
    expect(applied.status).toBe(200);
    // Then `kubectl edit` of a label Git sets: drift, and only that field.
    await fixture.patch(deploymentPath('managers', 'web'), { metadata: { labels: { team: 'red' } } }, 'kubectl-edit');

    const drift = await waitFor('label drift stored', async () => {
      const current = await readAppDrift(fixture.redis, 'managers');
      return current?.outOfSync ? current : undefined;
    });
    expect(drift.objects).toEqual([expect.objectContaining({ ref: expect.objectContaining({ kind: 'Deployment', name: 'web' }), fields: ['metadata.labels.team'] })]);
    expect((await readDeployment('managers', 'web')).spec.replicas).toBe(6);
    const diff = (await diffStatus('managers', 'Deployment', 'web'))!;
    expect(diff.status).toBe('changed');
    expect(diff.diff).toContain('-    team: red');
    expect(diff.diff).toContain('+    team: blue');
    expect(diff.diff).not.toMatch(/replicas/);
  });

  it('jqPathExpressions: a container image another manager sets is ignored, selected by container name', async () => {
    defineApp('jq', [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "web") | .image'] }]);
    await syncedAndJudged('jq', [deployment('web', 1), configMap('canary')]);

    await fixture.patch(deploymentPath('jq', 'web'), { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } }, 'image-updater');
    await canaryHealed('jq');

    expect(await driftedKinds('jq')).toEqual(['ConfigMap:data.key']);
    expect((await readDeployment('jq', 'web')).spec.template.spec.containers[0].image).toBe('nginx:1.28');
    expect(await diffStatus('jq', 'Deployment', 'web')).toMatchObject({ status: 'unchanged' });
  });

  it('judges again when ignoreDifferences changes in the configuration: the drift it now ignores is resolved', async () => {
    const application = defineApp('reloaded', undefined, { selfHeal: false });
    await syncedAndJudged('reloaded', [deployment('web', 3)]);
    await scaleAsAutoscaler('reloaded', 'web', 5);
    await waitFor('replica drift stored', async () => (await readAppDrift(fixture.redis, 'reloaded'))?.outOfSync === true);

    application.spec.ignoreDifferences = [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }];
    await fixture.syncer.liveState!.refreshApp('reloaded'); // what the periodic rescan does after a config reload
    await waitFor('drift resolved under the new rules', async () => (await readAppDrift(fixture.redis, 'reloaded'))?.outOfSync === false);
    expect((await readDeployment('reloaded', 'web')).spec.replicas).toBe(5);
  });

  it('without ignoreDifferences the same scale is drift and self-heal restores the replicas from Git', async () => {
    defineApp('plain', undefined);
    await syncedAndJudged('plain', [deployment('web', 3), configMap('canary')]);
    await scaleAsAutoscaler('plain', 'web', 7);
    const detected = await waitFor('drift detected', async () => (await fixture.eventsOf('plain', eventTypes.driftDetected))[0]);
    expect(detected.data.objects).toEqual([expect.objectContaining({ kind: 'Deployment', fields: ['spec.replicas'], managers: ['kube-controller-manager'] })]);
    await waitFor('healed back to 3 replicas', async () => (await readDeployment('plain', 'web')).spec.replicas === 3);
  });
});

describe('RespectIgnoreDifferences=true', () => {
  it('keeps the ignored live value through a sync of a new revision and through a self-heal of another field', async () => {
    defineApp('respect', [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }], { respect: true });
    await syncedAndJudged('respect', [deployment('web', 3, { labels: { team: 'blue' } }), configMap('canary')]);
    await scaleAsAutoscaler('respect', 'web', 7);

    // A new commit changes the pod template and still says 3 replicas.
    await syncedAndJudged('respect', [deployment('web', 3, { cpu: '50m', labels: { team: 'blue' } }), configMap('canary')]);
    const afterSync = await readDeployment('respect', 'web');
    expect(afterSync.spec.replicas).toBe(7);
    expect(JSON.stringify(afterSync.spec.template)).toContain('50m');

    // Drift of another field of the same object is healed without touching the replicas.
    await fixture.patch(deploymentPath('respect', 'web'), { metadata: { labels: { team: 'red' } } }, 'kubectl-edit');
    const healed = await waitFor('label healed', async () => (await fixture.eventsOf('respect', eventTypes.driftHealed))[0]);
    expect(healed.data.objects).toEqual([expect.objectContaining({ kind: 'Deployment', fields: ['metadata.labels.team'] })]);
    const afterHeal = await readDeployment('respect', 'web');
    expect(afterHeal.metadata.labels?.team).toBe('blue');
    expect(afterHeal.spec.replicas).toBe(7);
  });

  it('without it, a sync applies the ignored field as Git says (Argo CD\'s default)', async () => {
    defineApp('overwrite', [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]);
    await syncedAndJudged('overwrite', [deployment('web', 3), configMap('canary')]);
    await scaleAsAutoscaler('overwrite', 'web', 7);
    await syncedAndJudged('overwrite', [deployment('web', 3, { cpu: '50m' }), configMap('canary')]);
    expect((await readDeployment('overwrite', 'web')).spec.replicas).toBe(3);
  });
});
