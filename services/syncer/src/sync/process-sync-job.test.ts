import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { AppProject, ArgoApplication, Cluster, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import { createRedisConnection, generateBundleSigningKey, redisKeys, signBundle, type KubernetesObject, type RenderedBundle, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startCluster, startRedis, type RedisInstance, type TestCluster } from '../../../../test/harness/src/index.ts';
import { createClusterRegistry, type ClusterRegistry } from '../clusters/cluster-registry.ts';
import { trackingAnnotation, trackingLabel } from '../apply/tracking.ts';
import { processSyncJob, type SyncJobOutcome } from './process-sync-job.ts';

let redisServer: RedisInstance;
let cluster: TestCluster;
let redis: Redis;
let queue: Queue;
let clusters: ClusterRegistry;
let core: CoreV1Api;
let apps: AppsV1Api;
let rbac: RbacAuthorizationV1Api;
let customObjects: CustomObjectsApi;
let apiextensions: ApiextensionsV1Api;
const applications: ArgoApplication[] = [];
const projects: AppProject[] = [];
let config: TidewaterConfig;
const logger = createLogger('syncer-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'syncer' })]);
  redis = createRedisConnection(redisServer.url, 'worker');
  queue = new Queue('sync-under-test', { connection: redis, prefix: `test-${randomBytes(4).toString('hex')}` });
  const clusterDocument: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster',
    metadata: { name: 'test' },
    spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } },
  };
  config = { applications, projects, repositories: [], clusters: [clusterDocument], otherDocuments: [], warnings: [] };
  clusters = createClusterRegistry(() => config);
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
  rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  customObjects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  apiextensions = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
});

afterAll(async () => {
  clusters?.close();
  await queue?.close();
  await redis?.quit();
  await Promise.all([cluster?.stop(), redisServer?.stop()]);
});

interface AppOptions {
  namespace: string;
  project?: string;
  syncOptions?: string[];
  prune?: boolean;
  destination?: ArgoApplication['spec']['destination'];
}

function defineApp(name: string, options: AppOptions): void {
  const application: ArgoApplication = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
    metadata: { name },
    spec: {
      project: options.project ?? 'default',
      source: { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: name },
      destination: options.destination ?? { name: 'test', namespace: options.namespace },
      syncPolicy: { automated: { prune: options.prune ?? true }, syncOptions: options.syncOptions ?? ['CreateNamespace=true'] },
    },
  };
  const existing = applications.findIndex((candidate) => candidate.metadata.name === name);
  if (existing >= 0) applications.splice(existing, 1);
  applications.push(application);
}

let revisionCounter = 0;

/** Stores a bundle for `app` as the renderer would and runs the processor on a sync job for it. */
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const bundleSigningKey = generateBundleSigningKey();

async function sync(app: string, objects: KubernetesObject[]): Promise<SyncJobOutcome> {
  const revision = `rev${++revisionCounter}`.padEnd(40, '0');
  const bundleKey = redisKeys.bundle(`${app}-${revision}`);
  const bundle: RenderedBundle = {
    app, repoURL: 'https://git.example.com/team/deploy.git', revision, path: app, objects, renderedAt: new Date().toISOString(), renderer: 'directory',
  };
  await redis.set(bundleKey, JSON.stringify(signBundle(bundle, bundleSigningKey)));
  const job = await queue.add('sync', {
    app, revision, bundleKey, trigger: { kind: 'webhook', actor: 'alice' }, trace: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  }, { attempts: 3 });
  return processSyncJob(job, { config: () => config, redis, events: createEventPublisher({ redis, source: '/tidewater/syncer' }), logger, clusters, bundleSigningKey });
}

async function syncExpectingFailure(app: string, objects: KubernetesObject[]): Promise<Error> {
  const error = await sync(app, objects).then(() => undefined, (failure: Error) => failure);
  expect(error).toBeInstanceOf(UnrecoverableError);
  return error!;
}

const configMap = (name: string, data: Record<string, string> = { key: 'value' }, annotations?: Record<string, string>): KubernetesObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(annotations ? { annotations } : {}) }, data,
});

const deployment = (name: string, replicas = 1, annotations?: Record<string, string>): KubernetesObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
});

async function eventsOf(app: string): Promise<CloudEvent[]> {
  return (await readAllEvents(redis)).filter((event) => event.data.app === app);
}

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

const asResult = (outcome: SyncJobOutcome) => outcome as SyncResult;
const outcomeOf = (result: SyncResult, kind: string, name: string) => result.objects.find((object) => object.kind === kind && object.name === name)?.outcome;

describe('processSyncJob against a real kube-apiserver', () => {
  it('creates the namespace and applies objects server-side with tracking label, annotation and field manager', async () => {
    defineApp('web', { namespace: 'web' });
    const result = asResult(await sync('web', [configMap('web-config'), deployment('web')]));

    expect(result.phase).toBe('Succeeded');
    expect(result.objects.map((object) => [object.kind, object.name, object.outcome])).toEqual([
      ['Namespace', 'web', 'created'],
      ['ConfigMap', 'web-config', 'created'],
      ['Deployment', 'web', 'created'],
    ]);
    const namespace = await core.readNamespace({ name: 'web' });
    expect(namespace.metadata?.labels?.[trackingLabel]).toBe('web');

    const liveConfigMap = await core.readNamespacedConfigMap({ name: 'web-config', namespace: 'web' });
    expect(liveConfigMap.data).toEqual({ key: 'value' });
    expect(liveConfigMap.metadata?.labels?.[trackingLabel]).toBe('web');
    expect(liveConfigMap.metadata?.annotations?.[trackingAnnotation]).toBe('web:/ConfigMap:web/web-config');
    expect(liveConfigMap.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation])).toEqual([['tidewater', 'Apply']]);

    const liveDeployment = await apps.readNamespacedDeployment({ name: 'web', namespace: 'web' });
    expect(liveDeployment.metadata?.annotations?.[trackingAnnotation]).toBe('web:apps/Deployment:web/web');
    expect(liveDeployment.metadata?.managedFields?.some((entry) => entry.manager === 'tidewater' && entry.operation === 'Apply')).toBe(true);

    const stored = JSON.parse((await redis.get(redisKeys.syncStatus('web')))!) as SyncResult;
    expect(stored).toMatchObject({ app: 'web', phase: 'Succeeded', trigger: { kind: 'webhook', actor: 'alice' } });
    const events = await eventsOf('web');
    expect(events.map((event) => event.type)).toEqual([eventTypes.syncStarted, eventTypes.syncSucceeded]);
    expect(events[0].data).toMatchObject({ app: 'web', actor: 'alice', traceId, objectCount: 2 });
    expect(events[1].data).toMatchObject({ app: 'web', revision: result.revision, traceId, counts: { created: 3, failed: 0 } });
  });

  it('reports every object unchanged when the same bundle is synced again, and configured when it changed', async () => {
    defineApp('steady', { namespace: 'steady' });
    const objects = [configMap('one'), configMap('two'), deployment('steady')];
    expect(asResult(await sync('steady', objects)).phase).toBe('Succeeded');

    const again = asResult(await sync('steady', objects));
    expect(again.objects.map((object) => object.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);

    const changed = asResult(await sync('steady', [configMap('one', { key: 'new' }), configMap('two'), deployment('steady')]));
    expect(outcomeOf(changed, 'ConfigMap', 'one')).toBe('configured');
    expect(outcomeOf(changed, 'ConfigMap', 'two')).toBe('unchanged');
  });

  it('prunes a removed object and a removed kind, honours Prune=false and leaves objects it does not track', async () => {
    defineApp('shop', { namespace: 'shop' });
    await sync('shop', [
      configMap('keep'), configMap('drop'), configMap('precious', { key: 'value' }, { 'argocd.argoproj.io/sync-options': 'Prune=false' }),
      deployment('shop'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token' }, stringData: { token: 'not-a-real-one' } },
    ]);
    const result = asResult(await sync('shop', [configMap('keep'), deployment('shop')]));

    expect(result.phase).toBe('Succeeded');
    expect(outcomeOf(result, 'ConfigMap', 'drop')).toBe('pruned');
    expect(outcomeOf(result, 'Secret', 'token')).toBe('pruned');
    expect(result.objects.find((object) => object.name === 'precious')).toMatchObject({ outcome: 'skipped', message: expect.stringContaining('Prune=false') });
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'drop', namespace: 'shop' }))).toBe(false);
    expect(await exists(() => core.readNamespacedSecret({ name: 'token', namespace: 'shop' }))).toBe(false);
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'precious', namespace: 'shop' }))).toBe(true);
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'keep', namespace: 'shop' }))).toBe(true);

    const pruned = (await eventsOf('shop')).filter((event) => event.type === eventTypes.resourcePruned);
    expect(pruned.map((event) => [event.data.kind, event.data.namespace, event.data.name]).sort()).toEqual([
      ['ConfigMap', 'shop', 'drop'], ['Secret', 'shop', 'token'],
    ]);
  });

  it('does not prune an object whose live tracking id is not this application\'s', async () => {
    defineApp('copy', { namespace: 'copy' });
    await sync('copy', [configMap('mine'), configMap('taken')]);
    await core.patchNamespacedConfigMap({
      name: 'taken', namespace: 'copy', body: [{ op: 'replace', path: `/metadata/annotations/${trackingAnnotation.replace('/', '~1')}`, value: 'other:/ConfigMap:copy/taken' }],
    });
    const result = asResult(await sync('copy', [configMap('mine')]));
    expect(result.objects.find((object) => object.name === 'taken')).toMatchObject({ outcome: 'skipped', message: expect.stringContaining('not tracked') });
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'taken', namespace: 'copy' }))).toBe(true);
  });

  it('applies nothing at all when one object violates the project, and names it in syncFailed', async () => {
    projects.push({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'demo' },
      spec: { sourceRepos: ['*'], destinations: [{ name: 'test', namespace: '*' }], clusterResourceWhitelist: [] },
    });
    defineApp('guarded', { namespace: 'guarded', project: 'demo', syncOptions: [] });
    await core.createNamespace({ body: { metadata: { name: 'guarded' } } });
    const clusterRole: KubernetesObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'guarded-reader' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    };

    const error = await syncExpectingFailure('guarded', [configMap('settings'), deployment('guarded'), clusterRole]);

    expect(error.message).toContain('ClusterRole rbac.authorization.k8s.io/guarded-reader is not permitted by project demo');
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'settings', namespace: 'guarded' }))).toBe(false);
    expect(await exists(() => apps.readNamespacedDeployment({ name: 'guarded', namespace: 'guarded' }))).toBe(false);
    expect(await exists(() => rbac.readClusterRole({ name: 'guarded-reader' }))).toBe(false);
    const failed = (await eventsOf('guarded')).find((event) => event.type === eventTypes.syncFailed);
    expect(failed?.data.reason).toContain('ClusterRole rbac.authorization.k8s.io/guarded-reader');
    const stored = JSON.parse((await redis.get(redisKeys.syncStatus('guarded')))!) as SyncResult;
    expect(stored.phase).toBe('Failed');
  });

  it('applies a CRD and a custom resource of it in one sync', async () => {
    defineApp('vms', { namespace: 'vms' });
    const definition: KubernetesObject = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'virtualmachines.kubevirt.io' },
      spec: {
        group: 'kubevirt.io', scope: 'Namespaced',
        names: { kind: 'VirtualMachine', plural: 'virtualmachines', singular: 'virtualmachine', listKind: 'VirtualMachineList', shortNames: ['vm'] },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    const virtualMachine: KubernetesObject = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'testvm' },
      spec: { running: false, template: { spec: { domain: { devices: {}, resources: { requests: { memory: '64M' } } } } } },
    };

    const result = asResult(await sync('vms', [virtualMachine, definition]));

    expect(result.phase).toBe('Succeeded');
    expect(result.objects.map((object) => [object.kind, object.outcome])).toEqual([
      ['Namespace', 'created'], ['CustomResourceDefinition', 'created'], ['VirtualMachine', 'created'],
    ]);
    const live = await customObjects.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'vms', plural: 'virtualmachines', name: 'testvm' }) as KubernetesObject;
    expect(live.metadata.annotations?.[trackingAnnotation]).toBe('vms:kubevirt.io/VirtualMachine:vms/testvm');
    expect((live.spec as { running: boolean }).running).toBe(false);
    const crd = await apiextensions.readCustomResourceDefinition({ name: 'virtualmachines.kubevirt.io' });
    expect(crd.metadata?.labels?.[trackingLabel]).toBe('vms');
  });

  it('fails an object whose kind the cluster does not serve, naming the kind and the cluster', async () => {
    defineApp('nokind', { namespace: 'nokind' });
    const error = await syncExpectingFailure('nokind', [configMap('fine'), { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]);
    expect(error.message).toContain('no kind Widget in group example.com version v1 on cluster test (is its CRD installed?)');
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'fine', namespace: 'nokind' }))).toBe(false);
  });

  it('applies sync waves in order, namespaces and CRDs first', async () => {
    defineApp('waves', { namespace: 'waves' });
    const wave = (value: number) => ({ 'argocd.argoproj.io/sync-wave': String(value) });
    const result = asResult(await sync('waves', [
      configMap('late', { key: 'v' }, wave(5)),
      deployment('middle', 1, wave(1)),
      configMap('middle-config', { key: 'v' }, wave(1)),
      configMap('early', { key: 'v' }, wave(-2)),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner', annotations: wave(1) } },
    ]));

    expect(result.objects.map((object) => object.name)).toEqual(['waves', 'early', 'runner', 'middle-config', 'middle', 'late']);
    const versionOf = async (read: () => Promise<{ metadata?: { resourceVersion?: string } }>) => Number((await read()).metadata?.resourceVersion);
    const early = await versionOf(() => core.readNamespacedConfigMap({ name: 'early', namespace: 'waves' }));
    const middle = await versionOf(() => apps.readNamespacedDeployment({ name: 'middle', namespace: 'waves' }));
    const middleConfig = await versionOf(() => core.readNamespacedConfigMap({ name: 'middle-config', namespace: 'waves' }));
    const late = await versionOf(() => core.readNamespacedConfigMap({ name: 'late', namespace: 'waves' }));
    expect(early).toBeLessThan(Math.min(middle, middleConfig));
    expect(Math.max(middle, middleConfig)).toBeLessThan(late);
  });

  it('fails an invalid object with its name and stops after its wave', async () => {
    defineApp('broken', { namespace: 'broken' });
    const error = await syncExpectingFailure('broken', [
      configMap('same-wave'),
      deployment('bad', -1),
      configMap('next-wave', { key: 'v' }, { 'argocd.argoproj.io/sync-wave': '1' }),
    ]);
    expect(error.message).toContain('Deployment apps/bad in namespace broken: 422');
    expect(error.message).toContain('spec.replicas');
    const stored = JSON.parse((await redis.get(redisKeys.syncStatus('broken')))!) as SyncResult;
    expect(stored.phase).toBe('Failed');
    expect(outcomeOf(stored, 'Deployment', 'bad')).toBe('failed');
    expect(outcomeOf(stored, 'ConfigMap', 'same-wave')).toBe('created');
    expect(outcomeOf(stored, 'ConfigMap', 'next-wave')).toBe('skipped');
    expect(await exists(() => core.readNamespacedConfigMap({ name: 'next-wave', namespace: 'broken' }))).toBe(false);
    const failed = (await eventsOf('broken')).find((event) => event.type === eventTypes.syncFailed);
    expect(failed?.data).toMatchObject({ reason: expect.stringContaining('Deployment apps/bad'), counts: { created: 2, failed: 1, skipped: 1 } });
  });

  it('drops a job whose revision is no longer the desired one, recording nothing', async () => {
    defineApp('old', { namespace: 'old' });
    await redis.set(redisKeys.desiredRevision('old'), JSON.stringify({ revision: 'f'.repeat(40), at: new Date().toISOString() }));
    expect(await sync('old', [configMap('stale')])).toEqual({ superseded: true });
    expect(await redis.get(redisKeys.syncStatus('old'))).toBeNull();
    expect(await eventsOf('old')).toEqual([]);
  });

  it('fails permanently, with an actionable message, when the bundle is gone or the destination is unknown', async () => {
    defineApp('lost', { namespace: 'lost' });
    const job = await queue.add('sync', { app: 'lost', revision: 'a'.repeat(40), bundleKey: redisKeys.bundle('expired'), trigger: { kind: 'webhook' } });
    const missing = await processSyncJob(job, { config: () => config, redis, events: createEventPublisher({ redis, source: 'test' }), logger, clusters, bundleSigningKey })
      .then(() => undefined, (error: Error) => error);
    expect(missing).toBeInstanceOf(UnrecoverableError);
    expect(missing?.message).toContain('render the revision again');

    defineApp('nowhere', { namespace: 'nowhere', destination: { name: 'mars', namespace: 'nowhere' } });
    const unknown = await syncExpectingFailure('nowhere', [configMap('x')]);
    expect(unknown.message).toContain('destination cluster mars is unknown');
  });
});
