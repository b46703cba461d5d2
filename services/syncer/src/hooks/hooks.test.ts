import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { BatchV1Api, CoreV1Api, Watch, type V1ConfigMap, type V1Job } from '@kubernetes/client-node';
import type { AppProject, ArgoApplication, Cluster, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { signBundle, generateBundleSigningKey, createRedisConnection, redisKeys, type KubernetesObject, type RenderedBundle, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startCluster, startRedis, waitFor, type RedisInstance, type TestCluster } from '../../../../test/harness/src/index.ts';
import { createClusterRegistry, type ClusterRegistry } from '../clusters/cluster-registry.ts';
import { readInventory } from '../prune/inventory.ts';
import { processSyncJob } from '../sync/process-sync-job.ts';

// Argo CD resource hooks end to end: a real control plane where kube-controller-manager runs Jobs, the scheduler
// places their Pods on a kwok node and kwok completes them (its pod-complete stage), so a hook Job really completes.

let redisServer: RedisInstance;
let cluster: TestCluster;
let redis: Redis;
let queue: Queue;
let clusters: ClusterRegistry;
let core: CoreV1Api;
let batch: BatchV1Api;
const applications: ArgoApplication[] = [];
const projects: AppProject[] = [];
let config: TidewaterConfig;
const logger = createLogger('hooks-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'hooks', workloads: true })]);
  redis = createRedisConnection(redisServer.url, 'worker');
  queue = new Queue('hooks', { connection: redis, prefix: `test-${randomBytes(4).toString('hex')}` });
  const clusterDocument: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'test' },
    spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } },
  };
  config = { applications, projects, repositories: [], clusters: [clusterDocument], otherDocuments: [], warnings: [] };
  clusters = createClusterRegistry(() => config);
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
});

afterAll(async () => {
  clusters?.close();
  await queue?.close();
  await redis?.quit();
  await Promise.all([cluster?.stop(), redisServer?.stop()]);
});

function defineApp(name: string, project = 'default'): void {
  applications.push({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
    spec: {
      project,
      source: { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: name },
      destination: { name: 'test', namespace: name },
      syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
    },
  });
}

let revisionCounter = 0;
const bundleSigningKey = generateBundleSigningKey();

async function sync(app: string, objects: KubernetesObject[]): Promise<SyncResult> {
  const revision = `${(++revisionCounter).toString(16)}abcdef`.padEnd(40, '0');
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

const configMap = (name: string, annotations?: Record<string, string>): KubernetesObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(annotations ? { annotations } : {}) }, data: { key: 'value' },
});

/** A Job whose Pod kwok completes; `unschedulable` keeps its Pod Pending (no node matches). */
const job = (name: string, annotations: Record<string, string>, options: { unschedulable?: boolean; activeDeadlineSeconds?: number; generateName?: boolean } = {}): KubernetesObject => ({
  apiVersion: 'batch/v1', kind: 'Job',
  // A rendered hook may carry generateName and no name (the bundle type assumes a name).
  metadata: (options.generateName ? { generateName: `${name}-`, annotations } : { name, annotations }) as KubernetesObject['metadata'],
  spec: {
    backoffLimit: 0,
    ...(options.activeDeadlineSeconds ? { activeDeadlineSeconds: options.activeDeadlineSeconds } : {}),
    template: {
      spec: {
        restartPolicy: 'Never',
        ...(options.unschedulable ? { nodeSelector: { 'tidewater.dev/no-such-node': 'true' } } : {}),
        containers: [{ name: 'run', image: 'busybox:1.36', command: ['true'] }],
      },
    },
  },
});

async function readJob(namespace: string, name: string): Promise<V1Job | undefined> {
  try {
    return await batch.readNamespacedJob({ namespace, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

async function readConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
  try {
    return await core.readNamespacedConfigMap({ namespace, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/**
 * Records Jobs completing and ConfigMaps appearing in a namespace, ordered by the resourceVersion of the write
 * (one etcd: its revision orders every write), whatever order the two watch streams deliver them in.
 */
async function recordOrder(namespace: string) {
  const seen = new Map<string, number>();
  const watch = new Watch(cluster.kubeConfig);
  const jobs = await watch.watch(`/apis/batch/v1/namespaces/${namespace}/jobs`, {}, (_type, object: V1Job) => {
    const complete = object.status?.conditions?.some((condition) => condition.type === 'Complete' && condition.status === 'True');
    const label = `job ${object.metadata!.name} complete`;
    if (complete && !seen.has(label)) seen.set(label, Number(object.metadata!.resourceVersion));
  }, () => {});
  const configMaps = await watch.watch(`/api/v1/namespaces/${namespace}/configmaps`, {}, (type, object: V1ConfigMap) => {
    if (type === 'ADDED' && object.metadata?.name !== 'kube-root-ca.crt') seen.set(`configmap ${object.metadata!.name} created`, Number(object.metadata!.resourceVersion));
  }, () => {});
  return {
    order: () => [...seen.entries()].sort((a, b) => a[1] - b[1]).map(([label]) => label),
    stop: () => { jobs.abort(); configMaps.abort(); },
  };
}

const resultOf = (status: SyncResult, name: string) => status.objects.find((object) => object.name === name);

describe('resource hooks against a real control plane', () => {
  it('runs PreSync, Sync (by wave) and PostSync hooks in order, waiting for each Job to complete', async () => {
    defineApp('hooked');
    await core.createNamespace({ body: { metadata: { name: 'hooked' } } });
    const order = await recordOrder('hooked');
    const bundle = [
      job('migrate', { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }),
      configMap('wave-0'),
      job('seed', { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '1' }),
      configMap('wave-2', { 'argocd.argoproj.io/sync-wave': '2' }),
      job('smoke-test', { 'argocd.argoproj.io/hook': 'PostSync' }),
    ];
    let status: SyncResult;
    try {
      status = await sync('hooked', bundle);
    } catch (error) {
      order.stop();
      throw error;
    }
    expect(status.phase).toBe('Succeeded');
    expect(resultOf(status, 'migrate')?.message).toBe('PreSync hook succeeded: Job completed; deleted (HookSucceeded)');
    expect(resultOf(status, 'smoke-test')?.message).toBe('PostSync hook succeeded: Job completed');
    await waitFor('the watch to see the last hook complete', () => order.order().length >= 5, { timeoutMs: 10_000 }).finally(() => order.stop());
    expect(order.order()).toEqual([
      'job migrate complete', 'configmap wave-0 created', 'job seed complete', 'configmap wave-2 created', 'job smoke-test complete',
    ]);
    expect(await readJob('hooked', 'migrate')).toBeUndefined(); // HookSucceeded
    const smokeTest = await readJob('hooked', 'smoke-test');
    expect(smokeTest?.status?.conditions?.find((condition) => condition.type === 'Complete')?.status).toBe('True');

    // Hooks are not in the inventory: a bundle without them prunes the ConfigMaps it dropped, never the hook Jobs.
    expect((await readInventory(redis, 'hooked')).filter((entry) => !entry.managedNamespace).map((entry) => entry.name).sort()).toEqual(['wave-0', 'wave-2']);
    const again = await sync('hooked', [configMap('wave-0')]);
    expect(again.phase).toBe('Succeeded');
    expect(resultOf(again, 'wave-2')?.outcome).toBe('pruned');
    expect((await readJob('hooked', 'smoke-test'))?.metadata?.uid).toBe(smokeTest?.metadata?.uid);

    // BeforeHookCreation (the default): the next run deletes the previous Job and creates a new one.
    const rerun = await sync('hooked', [configMap('wave-0'), job('smoke-test', { 'argocd.argoproj.io/hook': 'PostSync' })]);
    expect(rerun.phase).toBe('Succeeded');
    expect((await readJob('hooked', 'smoke-test'))?.metadata?.uid).not.toBe(smokeTest?.metadata?.uid);
  });

  it('runs PostSync hooks only once the applied objects are healthy (a Deployment rolled out)', async () => {
    defineApp('rollout');
    const events = new Map<string, number>();
    const watch = new Watch(cluster.kubeConfig);
    const deployments = await watch.watch('/apis/apps/v1/namespaces/rollout/deployments', {}, (_type, object: { metadata: { resourceVersion: string }; status?: { availableReplicas?: number } }) => {
      if ((object.status?.availableReplicas ?? 0) >= 1 && !events.has('deployment available')) events.set('deployment available', Number(object.metadata.resourceVersion));
    }, () => {});
    const configMaps = await watch.watch('/api/v1/namespaces/rollout/configmaps', {}, (type, object: V1ConfigMap) => {
      if (type === 'ADDED' && object.metadata?.name === 'deployed-marker') events.set('hook created', Number(object.metadata.resourceVersion));
    }, () => {});
    try {
      const status = await sync('rollout', [
        {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
          spec: {
            replicas: 1, selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
          },
        },
        configMap('deployed-marker', { 'argocd.argoproj.io/hook': 'PostSync' }),
      ]);
      expect(status.phase).toBe('Succeeded');
      await waitFor('the watches to see the rollout and the hook', () => events.size === 2, { timeoutMs: 10_000 });
      expect(events.get('deployment available')!).toBeLessThan(events.get('hook created')!);
    } finally {
      deployments.abort();
      configMaps.abort();
    }
  });

  it('fails the sync when a PreSync hook fails, applies nothing after it, and runs the SyncFail hooks', async () => {
    defineApp('broken');
    const status = await sync('broken', [
      job('migrate', { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'HookFailed' }, { unschedulable: true, activeDeadlineSeconds: 2 }),
      configMap('app-config'),
      configMap('alert', { 'argocd.argoproj.io/hook': 'SyncFail' }),
      configMap('celebrate', { 'argocd.argoproj.io/hook': 'PostSync' }),
    ]);
    expect(status.phase).toBe('Failed');
    expect(status.message).toMatch(/^PreSync hook Job batch\/migrate in namespace broken failed: DeadlineExceeded/);
    expect(status.message).toContain('deleted (HookFailed)');
    expect(resultOf(status, 'app-config')).toMatchObject({ outcome: 'skipped', message: 'not applied: a PreSync hook failed' });
    expect(await readConfigMap('broken', 'app-config')).toBeUndefined();
    expect(await readConfigMap('broken', 'alert')).toBeDefined(); // the SyncFail hook ran
    expect(await readConfigMap('broken', 'celebrate')).toBeUndefined();
    expect(resultOf(status, 'alert')?.message).toBe('SyncFail hook succeeded: ConfigMap created');
    await waitFor('the failed hook Job to be deleted (HookFailed)', async () => (await readJob('broken', 'migrate')) === undefined);
  });

  it('fails the sync, naming the hook, when a hook does not complete within its timeout', async () => {
    defineApp('stuck');
    const status = await sync('stuck', [
      configMap('app-config'),
      job('wait-forever', { 'argocd.argoproj.io/hook': 'PostSync', 'tidewater.dev/hook-timeout': '3s' }, { unschedulable: true }),
    ]);
    expect(status.phase).toBe('Failed');
    expect(status.message).toMatch(/^PostSync hook Job batch\/wait-forever in namespace stuck failed: did not complete within 3s \(last seen: .+\); set the annotation tidewater.dev\/hook-timeout for a longer limit$/);
    expect(await readConfigMap('stuck', 'app-config')).toBeDefined();
  });

  it('holds hooks to the project\'s guardrails: a hook outside its destinations stops the sync before anything runs', async () => {
    projects.push({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'fenced' },
      spec: { sourceRepos: ['*'], destinations: [{ name: 'test', namespace: 'fenced' }], clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] },
    });
    defineApp('fenced', 'fenced');
    const escape = job('escape', { 'argocd.argoproj.io/hook': 'PreSync' });
    escape.metadata.namespace = 'kube-system';
    const error = await sync('fenced', [configMap('settings'), escape]);
    expect(error.phase).toBe('Failed');
    expect(error.message).toContain('Job batch/escape in namespace kube-system');
    expect(error.message).toContain('project fenced');
    expect(await readJob('kube-system', 'escape')).toBeUndefined();
    expect(await readConfigMap('fenced', 'settings')).toBeUndefined();
  });

  it('an object that becomes a hook runs as a hook and is not pruned as having left the inventory', async () => {
    defineApp('converted');
    await sync('converted', [configMap('settings'), configMap('marker')]);
    const status = await sync('converted', [configMap('settings'), configMap('marker', { 'argocd.argoproj.io/hook': 'PostSync' })]);
    expect(status.phase).toBe('Succeeded');
    expect(status.objects.filter((object) => object.name === 'marker').map((object) => object.message)).toEqual(['PostSync hook succeeded: ConfigMap created']);
    expect(await readConfigMap('converted', 'marker')).toBeDefined();
    expect((await readInventory(redis, 'converted')).map((entry) => entry.name)).not.toContain('marker');
  });

  it('maps Helm hooks as Argo CD does and never applies Skip, Helm test or PostDelete objects', async () => {
    defineApp('helm-hooks');
    const status = await sync('helm-hooks', [
      job('db-init', { 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-5', 'helm.sh/hook-delete-policy': 'hook-succeeded' }),
      job('notify', { 'helm.sh/hook': 'post-install,post-upgrade' }, { generateName: true }),
      configMap('crds-as-resource', { 'helm.sh/hook': 'crd-install' }),
      configMap('chart-test', { 'helm.sh/hook': 'test' }),
      configMap('skipped', { 'argocd.argoproj.io/hook': 'Skip' }),
      configMap('cleanup', { 'argocd.argoproj.io/hook': 'PostDelete' }),
      configMap('settings'),
    ]);
    expect(status.phase).toBe('Succeeded');
    expect(resultOf(status, 'db-init')?.message).toBe('PreSync hook succeeded: Job completed; deleted (HookSucceeded)');
    const notify = status.objects.find((object) => object.name.startsWith('notify-'));
    expect(notify?.name).toMatch(/^notify-\w{7}-postsync-\d+$/);
    expect(notify?.message).toBe('PostSync hook succeeded: Job completed');
    expect(resultOf(status, 'crds-as-resource')?.outcome).toBe('created');
    expect(resultOf(status, 'chart-test')).toMatchObject({ outcome: 'skipped', message: 'Helm hook test not run: Argo CD has no equivalent' });
    expect(resultOf(status, 'skipped')).toMatchObject({ outcome: 'skipped', message: 'not applied: argocd.argoproj.io/hook: Skip' });
    expect(resultOf(status, 'cleanup')?.message).toBe('PostDelete hook not run: Tidewater does not delete applications, so there is no deletion to follow');
    for (const name of ['chart-test', 'skipped', 'cleanup']) expect(await readConfigMap('helm-hooks', name)).toBeUndefined();
    expect(await readJob('helm-hooks', 'db-init')).toBeUndefined();
    expect(await readJob('helm-hooks', notify!.name)).toBeDefined();
  });
});
