import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { CoreV1Api, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import type { ArgoApplication, Cluster, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { signBundle, generateBundleSigningKey, createRedisConnection, redisKeys, type KubernetesObject, type RenderedBundle, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startCluster, startRedis, waitFor, type RedisInstance, type TestCluster } from '../../../../test/harness/src/index.ts';
import { createClusterRegistry, type ClusterRegistry } from '../clusters/cluster-registry.ts';
import { processControlJob } from '../control/process-control-job.ts';
import { processSyncJob } from '../sync/process-sync-job.ts';
import { trackingAnnotation } from './tracking.ts';

// Every Argo CD sync option Tidewater implements, end to end: the syncer's sync processor against a real
// kube-apiserver (with kube-controller-manager, whose garbage collector carries out propagation policies).

let redisServer: RedisInstance;
let cluster: TestCluster;
let redis: Redis;
let queue: Queue;
let clusters: ClusterRegistry;
let core: CoreV1Api;
const applications: ArgoApplication[] = [];
let config: TidewaterConfig;
const logger = createLogger('sync-options-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'sync-options', workloads: true })]);
  redis = createRedisConnection(redisServer.url, 'worker');
  queue = new Queue('sync-options', { connection: redis, prefix: `test-${randomBytes(4).toString('hex')}` });
  const clusterDocument: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'test' },
    spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } },
  };
  config = { applications, projects: [], repositories: [], clusters: [clusterDocument], otherDocuments: [], warnings: [] };
  clusters = createClusterRegistry(() => config);
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  clusters?.close();
  await queue?.close();
  await redis?.quit();
  await Promise.all([cluster?.stop(), redisServer?.stop()]);
});

function defineApp(name: string, syncOptions: string[], extra: Partial<NonNullable<ArgoApplication['spec']['syncPolicy']>> = {}, namespace = name): void {
  const application: ArgoApplication = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
    spec: {
      project: 'default',
      source: { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: name },
      destination: { name: 'test', namespace },
      syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true', ...syncOptions], ...extra },
    },
  };
  const existing = applications.findIndex((candidate) => candidate.metadata.name === name);
  if (existing >= 0) applications.splice(existing, 1);
  applications.push(application);
}

let revisionCounter = 0;
const bundleSigningKey = generateBundleSigningKey();

/** Stores a bundle as the renderer would and runs the sync processor on it; resolves with the recorded status. */
async function sync(app: string, objects: KubernetesObject[]): Promise<SyncResult> {
  const revision = `rev${++revisionCounter}`.padEnd(40, '0');
  const bundleKey = redisKeys.bundle(`${app}-${revision}`);
  const bundle: RenderedBundle = { app, repoURL: 'https://git.example.com/team/deploy.git', revision, path: app, objects, renderedAt: new Date().toISOString(), renderer: 'directory' };
  await redis.set(bundleKey, JSON.stringify(signBundle(bundle, bundleSigningKey)));
  const job = await queue.add('sync', { app, revision, bundleKey, trigger: { kind: 'webhook', actor: 'alice' } }, { attempts: 1 });
  await processSyncJob(job, { config: () => config, redis, events: createEventPublisher({ redis, source: '/tidewater/syncer' }), logger, clusters, bundleSigningKey })
    .catch((error: unknown) => {
      if (!(error instanceof UnrecoverableError)) throw error;
    });
  return JSON.parse((await redis.get(redisKeys.syncStatus(app)))!) as SyncResult;
}

const configMap = (name: string, data: Record<string, string> = { key: 'value' }, annotations?: Record<string, string>, extra: Record<string, unknown> = {}): KubernetesObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(annotations ? { annotations } : {}) }, data, ...extra,
});
const syncOptions = (value: string) => ({ 'argocd.argoproj.io/sync-options': value });

async function readConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ namespace, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

const resultOf = (status: SyncResult, name: string) => status.objects.find((object) => object.name === name);

describe('sync options against a real kube-apiserver', () => {
  it('Prune=false keeps an object that left Git, per resource and per application; a resource annotation overrides the application', async () => {
    defineApp('no-prune', []);
    await sync('no-prune', [configMap('kept', {}, syncOptions('Prune=false')), configMap('gone'), configMap('anchor')]);
    const status = await sync('no-prune', [configMap('anchor')]);
    expect(status.phase).toBe('Succeeded');
    expect(resultOf(status, 'kept')).toMatchObject({ outcome: 'skipped', message: 'not pruned: sync option Prune=false' });
    expect(resultOf(status, 'gone')?.outcome).toBe('pruned');
    expect(await readConfigMap('no-prune', 'kept')).toBeDefined();
    expect(await readConfigMap('no-prune', 'gone')).toBeUndefined();

    defineApp('no-prune-app', ['Prune=false']);
    await sync('no-prune-app', [configMap('kept'), configMap('overridden', {}, syncOptions('Prune=true')), configMap('anchor')]);
    const appLevel = await sync('no-prune-app', [configMap('anchor')]);
    expect(resultOf(appLevel, 'kept')?.outcome).toBe('skipped');
    expect(resultOf(appLevel, 'overridden')?.outcome).toBe('pruned');
    expect(await readConfigMap('no-prune-app', 'kept')).toBeDefined();
  });

  it('Prune=confirm keeps the object, reports it waiting, and deletes it only when a confirm-prune request confirms', async () => {
    defineApp('confirm', []);
    await sync('confirm', [configMap('precious', {}, syncOptions('Prune=confirm')), configMap('plain'), configMap('stays')]);
    const waiting = await sync('confirm', [configMap('stays')]);
    expect(waiting.phase).toBe('Succeeded');
    expect(waiting.message).toBe('waiting for prune confirmation: ConfigMap precious in namespace confirm; confirm with a confirm-prune control request');
    expect(resultOf(waiting, 'precious')).toMatchObject({ outcome: 'skipped', message: 'waiting for prune confirmation (sync option Prune=confirm)' });
    expect(resultOf(waiting, 'plain')?.outcome).toBe('pruned');
    expect(await readConfigMap('confirm', 'precious')).toBeDefined();

    // Another sync without a confirmation still deletes nothing.
    const again = await sync('confirm', [configMap('stays')]);
    expect(again.message).toContain('waiting for prune confirmation');
    expect(await readConfigMap('confirm', 'precious')).toBeDefined();

    const deps = { config: () => config, redis, clusters, events: createEventPublisher({ redis, source: '/tidewater/syncer' }), logger,
      producers: { requestRender: async () => undefined } as never, queues: {} as never };
    const confirmed = await processControlJob({ id: 'confirm-1', data: { kind: 'confirm-prune', app: 'confirm', actor: 'bob' } }, deps);
    expect(confirmed).toMatchObject({ kind: 'confirm-prune', app: 'confirm', pruned: ['ConfigMap precious in namespace confirm'], failed: [] });
    expect(await readConfigMap('confirm', 'precious')).toBeUndefined();
    expect(await readConfigMap('confirm', 'stays')).toBeDefined();
    const status = JSON.parse((await redis.get(redisKeys.syncStatus('confirm')))!) as SyncResult;
    expect(status.message).toBeUndefined();
    expect(resultOf(status, 'precious')?.outcome).toBe('pruned');
    const pruneEvents = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.resourcePruned && event.data.app === 'confirm');
    expect(pruneEvents.map((event) => [event.data.name, event.data.actor])).toContainEqual(['precious', 'bob']);

    const nothingLeft = await processControlJob({ id: 'confirm-2', data: { kind: 'confirm-prune', app: 'confirm' } }, deps).then(() => undefined, (error: Error) => error);
    expect(nothingLeft).toBeInstanceOf(UnrecoverableError);
    expect(nothingLeft?.message).toBe('application confirm has no prune waiting for confirmation');

    // Set on the Application, every pruned object waits; an object back in Git is no longer waiting.
    defineApp('confirm-app', ['Prune=confirm']);
    await sync('confirm-app', [configMap('a'), configMap('b')]);
    expect((await sync('confirm-app', [configMap('b')])).message).toContain('ConfigMap a in namespace confirm-app');
    expect((await sync('confirm-app', [configMap('a'), configMap('b')])).message).toBeUndefined();
    const none = await processControlJob({ id: 'confirm-3', data: { kind: 'confirm-prune', app: 'confirm-app' } }, deps).then(() => undefined, (error: Error) => error);
    expect(none?.message).toBe('application confirm-app has no prune waiting for confirmation');
    expect(await readConfigMap('confirm-app', 'a')).toBeDefined();

    // Argo CD's other way to confirm: the Application's argocd.argoproj.io/deletion-approved timestamp, later than
    // the wait began, lets the next sync prune what was waiting then (and only that).
    const waitingAgain = await sync('confirm-app', [configMap('b')]);
    expect(waitingAgain.message).toContain('ConfigMap a in namespace confirm-app');
    const application = applications.find((candidate) => candidate.metadata.name === 'confirm-app')!;
    application.metadata.annotations = { 'argocd.argoproj.io/deletion-approved': new Date(Date.now() + 1_000).toISOString() };
    const approved = await sync('confirm-app', [configMap('c')]);
    expect(resultOf(approved, 'a')?.outcome).toBe('pruned');
    expect(resultOf(approved, 'b')?.message).toBe('waiting for prune confirmation (sync option Prune=confirm)');
    expect(await readConfigMap('confirm-app', 'a')).toBeUndefined();
    expect(await readConfigMap('confirm-app', 'b')).toBeDefined();
  });

  it('PruneLast deletes its object after every other pruned object', async () => {
    defineApp('prune-last', []);
    await sync('prune-last', [configMap('last', {}, syncOptions('PruneLast=true')), configMap('early-1'), configMap('early-2'), configMap('stays')]);
    const deletions: string[] = [];
    const watching = await new Watch(cluster.kubeConfig).watch('/api/v1/namespaces/prune-last/configmaps', {}, (type, object: V1ConfigMap) => {
      if (type === 'DELETED') deletions.push(object.metadata!.name!);
    }, () => {});
    try {
      const status = await sync('prune-last', [configMap('stays')]);
      expect(status.objects.filter((object) => object.outcome === 'pruned').map((object) => object.name).sort()).toEqual(['early-1', 'early-2', 'last']);
      await waitFor('three deletions seen by the watch', () => deletions.length >= 3, { timeoutMs: 15_000 });
      expect(deletions.at(-1)).toBe('last');
    } finally {
      watching.abort();
    }
  });

  it('PrunePropagationPolicy reaches the API: orphan keeps the dependent, background deletes it, foreground waits for it', async () => {
    const parentWithChild = async (app: string, childFinalizer = false) => {
      await sync(app, [configMap('parent'), configMap('anchor')]);
      const parent = await core.readNamespacedConfigMap({ namespace: app, name: 'parent' });
      await cluster.apply({
        apiVersion: 'v1', kind: 'ConfigMap',
        metadata: {
          name: 'child', namespace: app,
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: parent.metadata!.uid, blockOwnerDeletion: true }],
          ...(childFinalizer ? { finalizers: ['test.tidewater.dev/hold'] } : {}),
        },
      });
    };

    defineApp('orphan', ['PrunePropagationPolicy=orphan']);
    await parentWithChild('orphan');
    expect(resultOf(await sync('orphan', [configMap('anchor')]), 'parent')?.outcome).toBe('pruned');
    await waitFor('the parent to be gone', async () => (await readConfigMap('orphan', 'parent')) === undefined);
    const orphan = await waitFor('the orphaned child to lose its owner reference', async () => {
      const child = await readConfigMap('orphan', 'child');
      return child && (child.metadata?.ownerReferences ?? []).length === 0 ? child : undefined;
    });
    expect(orphan.metadata?.name).toBe('child');

    defineApp('background', ['PrunePropagationPolicy=background']);
    await parentWithChild('background');
    await sync('background', [configMap('anchor')]);
    expect(await readConfigMap('background', 'parent')).toBeUndefined(); // background: the owner goes at once
    await waitFor('the garbage collector to delete the child', async () => (await readConfigMap('background', 'child')) === undefined);

    defineApp('foreground', ['PrunePropagationPolicy=foreground']);
    await parentWithChild('foreground', true);
    await sync('foreground', [configMap('anchor')]);
    const waitingParent = await waitFor('the parent to wait for its dependent', async () => {
      const parent = await readConfigMap('foreground', 'parent');
      return parent?.metadata?.deletionTimestamp && parent.metadata.finalizers?.includes('foregroundDeletion') ? parent : undefined;
    });
    expect(waitingParent.metadata?.finalizers).toEqual(['foregroundDeletion']);
    await core.patchNamespacedConfigMap({ namespace: 'foreground', name: 'child', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await waitFor('the parent to go once its dependent is gone', async () => (await readConfigMap('foreground', 'parent')) === undefined);
  });

  it('Replace=true writes the whole object with PUT (created when missing), dropping fields others added', async () => {
    defineApp('replace', []);
    const first = await sync('replace', [configMap('replaced', { key: 'v1' }, syncOptions('Replace=true')), configMap('applied', { key: 'v1' })]);
    expect(resultOf(first, 'replaced')?.outcome).toBe('created');
    const created = await core.readNamespacedConfigMap({ namespace: 'replace', name: 'replaced' });
    expect(created.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation])).toEqual([['tidewater', 'Update']]);
    for (const name of ['replaced', 'applied']) {
      await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'replace', labels: { added: 'by-hand' } } });
    }
    const second = await sync('replace', [configMap('replaced', { key: 'v2' }, syncOptions('Replace=true')), configMap('applied', { key: 'v2' })]);
    expect(second.phase).toBe('Succeeded');
    const replaced = await core.readNamespacedConfigMap({ namespace: 'replace', name: 'replaced' });
    expect(replaced.data).toEqual({ key: 'v2' });
    expect(replaced.metadata?.labels?.added).toBeUndefined();
    expect((await core.readNamespacedConfigMap({ namespace: 'replace', name: 'applied' })).metadata?.labels?.added).toBe('by-hand');
  });

  it('Force=true deletes and re-creates an object the API refuses to change (an immutable ConfigMap)', async () => {
    defineApp('force', []);
    const frozen = (data: string, annotations?: Record<string, string>) => configMap('frozen', { key: data }, annotations, { immutable: true });
    await sync('force', [frozen('v1')]);
    const before = await core.readNamespacedConfigMap({ namespace: 'force', name: 'frozen' });

    const refused = await sync('force', [frozen('v2')]);
    expect(refused.phase).toBe('Failed');
    expect(refused.message).toMatch(/ConfigMap frozen in namespace force: 422 .*field is immutable/);

    const forced = await sync('force', [frozen('v2', syncOptions('Force=true'))]);
    expect(forced.phase).toBe('Succeeded');
    expect(resultOf(forced, 'frozen')).toMatchObject({ outcome: 'created', message: expect.stringContaining('re-created (Force=true) after: ConfigMap frozen in namespace force: 422') });
    const after = await core.readNamespacedConfigMap({ namespace: 'force', name: 'frozen' });
    expect(after.data).toEqual({ key: 'v2' });
    expect(after.metadata?.uid).not.toBe(before.metadata?.uid);
  });

  it('Validate=false sends fieldValidation=Ignore; by default an unknown field is refused (Strict, as kubectl validates)', async () => {
    // Replace=true writes with PUT, where fieldValidation decides what an unknown field does.
    defineApp('validate', []);
    const withTypo = (options: string) => configMap('typo', { key: 'v' }, syncOptions(options), { dta: { wrong: 'place' } });
    const strict = await sync('validate', [withTypo('Replace=true')]);
    expect(strict.phase).toBe('Failed');
    expect(strict.message).toMatch(/^ConfigMap typo in namespace validate: 400 .*unknown field "dta"/);
    expect(await readConfigMap('validate', 'typo')).toBeUndefined();

    const relaxed = await sync('validate', [withTypo('Replace=true,Validate=false')]);
    expect(relaxed.phase).toBe('Succeeded');
    expect((await readConfigMap('validate', 'typo'))?.data).toEqual({ key: 'v' });

    // Server-side apply checks a manifest against the kind's schema whatever fieldValidation says: a permanent
    // failure naming the field (the API server answers 500), not a retry.
    const serverSide = await sync('validate', [withTypo('Validate=false')]);
    expect(serverSide.phase).toBe('Failed');
    expect(serverSide.message).toBe('ConfigMap typo in namespace validate: 500 failed to create typed patch object (validate/typo; /v1, Kind=ConfigMap): .dta: field not declared in schema');
  });

  it('ApplyOutOfSyncOnly leaves objects already in sync untouched', async () => {
    // Replace=true,Force=true re-creates an object on every apply, so a new uid shows that it was applied.
    const recreated = syncOptions('Replace=true,Force=true');
    defineApp('out-of-sync-only', ['ApplyOutOfSyncOnly=true']);
    defineApp('apply-all', []);
    for (const app of ['out-of-sync-only', 'apply-all']) await sync(app, [configMap('steady', { key: 'v1' }, recreated), configMap('moving', { key: 'v1' }, recreated)]);
    const uids = async (app: string) => Object.fromEntries(await Promise.all(['steady', 'moving'].map(async (name) => [name, (await readConfigMap(app, name))?.metadata?.uid])));
    const before = { only: await uids('out-of-sync-only'), all: await uids('apply-all') };

    const status = await sync('out-of-sync-only', [configMap('steady', { key: 'v1' }, recreated), configMap('moving', { key: 'v2' }, recreated)]);
    await sync('apply-all', [configMap('steady', { key: 'v1' }, recreated), configMap('moving', { key: 'v2' }, recreated)]);
    const after = { only: await uids('out-of-sync-only'), all: await uids('apply-all') };

    expect(resultOf(status, 'steady')).toMatchObject({ outcome: 'unchanged', message: 'in sync: not applied (ApplyOutOfSyncOnly=true)' });
    expect(after.only.steady).toBe(before.only.steady);
    expect(after.only.moving).not.toBe(before.only.moving);
    expect(after.all.steady).not.toBe(before.all.steady);
    expect((await readConfigMap('out-of-sync-only', 'moving'))?.data).toEqual({ key: 'v2' });

    // "In sync" is judged as the diff judges it: a difference only in a field ignoreDifferences names does not count.
    await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'steady', namespace: 'out-of-sync-only' }, data: { key: 'by-operator' } });
    const application = applications.find((candidate) => candidate.metadata.name === 'out-of-sync-only')!;
    application.spec.ignoreDifferences = [{ kind: 'ConfigMap', name: 'steady', jsonPointers: ['/data/key'] }];
    const tuned = await sync('out-of-sync-only', [configMap('steady', { key: 'v1' }, recreated), configMap('moving', { key: 'v2' }, recreated)]);
    expect(resultOf(tuned, 'steady')?.outcome).toBe('unchanged');
    expect((await readConfigMap('out-of-sync-only', 'steady'))?.metadata?.uid).toBe(before.only.steady);
    application.spec.ignoreDifferences = [];
    const drifted = await sync('out-of-sync-only', [configMap('steady', { key: 'v1' }, recreated), configMap('moving', { key: 'v2' }, recreated)]);
    expect(resultOf(drifted, 'steady')?.outcome).toBe('created'); // out of sync without the rule: re-created
    expect((await readConfigMap('out-of-sync-only', 'steady'))?.data).toEqual({ key: 'v1' });
  });

  it('FailOnSharedResource fails on an object another application tracks, naming both; without it the object is taken over', async () => {
    defineApp('owner', []);
    await sync('owner', [configMap('shared', { from: 'owner' })]);
    defineApp('strict-intruder', ['FailOnSharedResource=true'], {}, 'owner');
    const refused = await sync('strict-intruder', [configMap('shared', { from: 'intruder' })]);
    expect(refused.phase).toBe('Failed');
    expect(refused.message).toBe('ConfigMap shared in namespace owner is already managed by application owner; application strict-intruder has sync option FailOnSharedResource=true, so it is not applied');
    const live = await core.readNamespacedConfigMap({ namespace: 'owner', name: 'shared' });
    expect(live.data).toEqual({ from: 'owner' });
    expect(live.metadata?.annotations?.[trackingAnnotation]).toBe('owner:/ConfigMap:owner/shared');

    defineApp('lax-intruder', [], {}, 'owner');
    expect((await sync('lax-intruder', [configMap('shared', { from: 'intruder' })])).phase).toBe('Succeeded');
    expect((await core.readNamespacedConfigMap({ namespace: 'owner', name: 'shared' })).data).toEqual({ from: 'intruder' });
  });

  it('SkipDryRunOnMissingResource applies the earlier waves and resolves the kind at its own wave', async () => {
    const widget = (annotations: Record<string, string>): KubernetesObject => ({
      apiVersion: 'example.tidewater.dev/v1', kind: 'Widget', metadata: { name: 'gear', annotations: { 'argocd.argoproj.io/sync-wave': '1', ...annotations } }, spec: { size: 3 },
    });
    defineApp('skip-dry-run', []);
    const refused = await sync('skip-dry-run', [configMap('before'), widget({})]);
    expect(refused.phase).toBe('Failed');
    expect(refused.message).toContain('no kind Widget in group example.tidewater.dev version v1');
    expect(await readConfigMap('skip-dry-run', 'before')).toBeUndefined(); // nothing applied

    const deferred = await sync('skip-dry-run', [configMap('before'), widget(syncOptions('SkipDryRunOnMissingResource=true'))]);
    expect(deferred.phase).toBe('Failed');
    expect(resultOf(deferred, 'before')?.outcome).toBe('created');
    expect(resultOf(deferred, 'gear')?.message).toContain('when its wave was applied (SkipDryRunOnMissingResource=true');

    // The CRD arrives from elsewhere (an operator, another app): the next sync creates the Widget.
    await cluster.apply({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.tidewater.dev' },
      spec: {
        group: 'example.tidewater.dev', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    const applied = await waitFor('the Widget to be applied once its CRD is served', async () => {
      const status = await sync('skip-dry-run', [configMap('before'), widget(syncOptions('SkipDryRunOnMissingResource=true'))]);
      return status.phase === 'Succeeded' ? status : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(resultOf(applied, 'gear')?.outcome).toBe('created');
  });

  it('CreateNamespace=true with managedNamespaceMetadata labels and annotates the created namespace; ServerSideApply=true applies server-side', async () => {
    defineApp('labelled', ['ServerSideApply=true'], { managedNamespaceMetadata: { labels: { team: 'payments' }, annotations: { 'owner.example.com/contact': 'pay@example.com' } } });
    const status = await sync('labelled', [configMap('settings')]);
    expect(status.phase).toBe('Succeeded');
    const namespace = await core.readNamespace({ name: 'labelled' });
    expect(namespace.metadata?.labels).toMatchObject({ team: 'payments', 'tidewater.dev/app': 'labelled' });
    expect(namespace.metadata?.annotations).toMatchObject({ 'owner.example.com/contact': 'pay@example.com' });
    const settings = await core.readNamespacedConfigMap({ namespace: 'labelled', name: 'settings' });
    expect(settings.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation])).toEqual([['tidewater', 'Apply']]);
  });
});
