import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArgoApplication, Cluster, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createRedisConnection, generateBundleSigningKey, redisKeys, signBundle, type KubernetesObject, type RenderedBundle, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startCluster, startRedis, type RedisInstance, type TestCluster } from '../../../../test/harness/src/index.ts';
import { createClusterRegistry, type ClusterClient, type ClusterRegistry } from '../clusters/cluster-registry.ts';
import { createKubeTransport, type KubeRequest, type KubeTransport } from '../clusters/kube-transport.ts';
import { processSyncJob } from '../sync/process-sync-job.ts';
import { liveContentFingerprint } from './applied-fingerprints.ts';

// No-op syncs send no PATCH (applied-fingerprints.ts), proven against a real kube-apiserver: every request the
// syncer sends goes through the cluster transport, which this test counts; the API server's resourceVersion and
// managedFields timestamps of the objects stay as they were. Drift, deletion and a changed manifest are applied.

const app = 'fingerprints';
const namespace = 'fingerprints';
let redisServer: RedisInstance;
let cluster: TestCluster;
let redis: Redis;
let queue: Queue;
let clusters: ClusterRegistry;
let config: TidewaterConfig;
/** The test's own connection (not counted): plays the other writers (a controller, a person with kubectl). */
let direct: KubeTransport;
const requests: KubeRequest[] = [];
const logger = createLogger('applied-fingerprints-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The registry the syncer uses, with every request to the cluster recorded. */
function countingRegistry(real: ClusterRegistry): ClusterRegistry {
  const wrapped = new Map<ClusterClient, ClusterClient>();
  const wrap = (client: ClusterClient): ClusterClient => {
    const existing = wrapped.get(client);
    if (existing) return existing;
    const transport: KubeTransport = {
      clusterName: client.transport.clusterName,
      server: client.transport.server,
      request: (request) => {
        requests.push(request);
        return client.transport.request(request);
      },
      close: () => client.transport.close(),
    };
    const counted: ClusterClient = { name: client.name, server: client.server, kubeConfig: client.kubeConfig, discovery: client.discovery, transport };
    wrapped.set(client, counted);
    return counted;
  };
  return {
    forDestination: (destination) => wrap(real.forDestination(destination)),
    byName: (name) => {
      const client = real.byName(name);
      return client && wrap(client);
    },
    close: () => real.close(),
  };
}

beforeAll(async () => {
  [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'fingerprints' })]);
  redis = createRedisConnection(redisServer.url, 'worker');
  queue = new Queue('fingerprints', { connection: redis, prefix: `test-${randomBytes(4).toString('hex')}` });
  const clusterDocument: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'test' },
    spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } },
  };
  const application: ArgoApplication = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app },
    spec: {
      project: 'default',
      source: { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: app },
      destination: { name: 'test', namespace },
      syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
    },
  };
  config = { applications: [application], projects: [], repositories: [], clusters: [clusterDocument], otherDocuments: [], warnings: [] };
  clusters = countingRegistry(createClusterRegistry(() => config));
  direct = createKubeTransport({ clusterName: 'direct', kubeConfig: cluster.kubeConfig });
});

afterAll(async () => {
  clusters?.close();
  direct?.close();
  await queue?.close();
  await redis?.quit();
  await Promise.all([cluster?.stop(), redisServer?.stop()]);
});

let revisionCounter = 0;
const bundleSigningKey = generateBundleSigningKey();

/** Stores a bundle as the renderer would and runs the sync processor on it; resolves with the recorded status. */
async function sync(objects: KubernetesObject[]): Promise<SyncResult> {
  const revision = `rev${++revisionCounter}`.padEnd(40, '0');
  const bundleKey = redisKeys.bundle(`${app}-${revision}`);
  const bundle: RenderedBundle = { app, repoURL: 'https://git.example.com/team/deploy.git', revision, path: app, objects, renderedAt: new Date().toISOString(), renderer: 'directory' };
  await redis.set(bundleKey, JSON.stringify(signBundle(bundle, bundleSigningKey)));
  const job = await queue.add('sync', { app, revision, bundleKey, trigger: { kind: 'webhook', actor: 'alice' } }, { attempts: 1 });
  requests.length = 0;
  await processSyncJob(job, { config: () => config, redis, events: createEventPublisher({ redis, source: '/tidewater/syncer' }), logger, clusters, bundleSigningKey });
  return JSON.parse((await redis.get(redisKeys.syncStatus(app)))!) as SyncResult;
}

const configMap = (name: string, data: Record<string, string> = { key: 'value' }): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const deployment: KubernetesObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: {
    replicas: 1, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
};
const bundleObjects = () => [configMap('one'), configMap('two'), configMap('three'), deployment];

const writes = () => requests.filter((request) => request.method !== 'GET');
const outcomes = (status: SyncResult) => Object.fromEntries(status.objects.map((object) => [`${object.kind}/${object.name}`, object.outcome]));

describe('no-op syncs send no PATCH', () => {
  it('a second sync of the same bundle writes nothing, even after a controller wrote an object\'s status', async () => {
    const first = await sync(bundleObjects());
    expect(first.phase).toBe('Succeeded');
    expect(writes().length).toBeGreaterThanOrEqual(4);

    const oneBefore = await readLiveObject('/api/v1/namespaces/fingerprints/configmaps/one');
    // A controller writes the Deployment's status (its own field manager, status subresource).
    const statusWrite = await direct.request({ method: 'PATCH', path: '/apis/apps/v1/namespaces/fingerprints/deployments/web/status?fieldManager=test-controller', body: {
      status: { observedGeneration: 1, replicas: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'rolled out' }] },
    }, contentType: 'application/merge-patch+json' });
    expect(statusWrite.status).toBe(200);

    const second = await sync(bundleObjects());
    expect(second.phase).toBe('Succeeded');
    expect(writes()).toEqual([]);
    expect(requests.filter((request) => request.method === 'GET' && request.path.includes('labelSelector=')).length).toBeGreaterThan(0);
    expect(outcomes(second)).toEqual({ 'Namespace/fingerprints': 'unchanged', 'ConfigMap/one': 'unchanged', 'ConfigMap/two': 'unchanged', 'ConfigMap/three': 'unchanged', 'Deployment/web': 'unchanged' });
    // The API server agrees: same resourceVersion and the same managedFields time for Tidewater's entry.
    const oneAfter = await readLiveObject('/api/v1/namespaces/fingerprints/configmaps/one');
    expect(oneAfter.metadata.resourceVersion).toBe(oneBefore.metadata.resourceVersion);
    expect(oneAfter.metadata.managedFields).toEqual(oneBefore.metadata.managedFields);
  });

  it('applies an object someone else changed (drift), a deleted one and one whose manifest changed; leaves the rest', async () => {
    const drifted = await direct.request({ method: 'PATCH', path: '/api/v1/namespaces/fingerprints/configmaps/one?fieldManager=kubectl-edit', body: { data: { key: 'edited by hand' } }, contentType: 'application/merge-patch+json' });
    expect(drifted.status).toBe(200);
    const deleted = await direct.request({ method: 'DELETE', path: '/api/v1/namespaces/fingerprints/configmaps/two' });
    expect(deleted.status).toBe(200);

    const status = await sync([configMap('one'), configMap('two'), configMap('three', { key: 'changed in git' }), deployment]);
    expect(status.phase).toBe('Succeeded');
    expect(outcomes(status)).toEqual({ 'Namespace/fingerprints': 'unchanged', 'ConfigMap/one': 'configured', 'ConfigMap/two': 'created', 'ConfigMap/three': 'configured', 'Deployment/web': 'unchanged' });
    expect(writes().map((request) => request.path.split('?')[0]).sort()).toEqual([
      '/api/v1/namespaces/fingerprints/configmaps/one',
      '/api/v1/namespaces/fingerprints/configmaps/three',
      '/api/v1/namespaces/fingerprints/configmaps/two',
    ]);
    expect((await readLiveObject('/api/v1/namespaces/fingerprints/configmaps/one')).data).toEqual({ key: 'value' });
    expect((await readLiveObject('/api/v1/namespaces/fingerprints/configmaps/two')).data).toEqual({ key: 'value' });
    expect((await readLiveObject('/api/v1/namespaces/fingerprints/configmaps/three')).data).toEqual({ key: 'changed in git' });

    const again = await sync([configMap('one'), configMap('two'), configMap('three', { key: 'changed in git' }), deployment]);
    expect(writes()).toEqual([]);
    expect(new Set(Object.values(outcomes(again)))).toEqual(new Set(['unchanged']));
  });

  it('a status-only change keeps the content fingerprint; a label change does not', () => {
    const base = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', resourceVersion: '1', managedFields: [{ manager: 'tidewater', operation: 'Apply', time: 't1' }] }, spec: { x: 1 } };
    const statusWritten = { ...base, metadata: { ...base.metadata, resourceVersion: '2', managedFields: [...base.metadata.managedFields, { manager: 'kubelet', operation: 'Update', subresource: 'status', time: 't2' }] }, status: { phase: 'Running' } };
    const relabelled = { ...base, metadata: { ...base.metadata, labels: { extra: 'yes' } } };
    expect(liveContentFingerprint(statusWritten)).toBe(liveContentFingerprint(base));
    expect(liveContentFingerprint(relabelled)).not.toBe(liveContentFingerprint(base));
  });
});

async function readLiveObject(path: string) {
  const response = await direct.request({ method: 'GET', path });
  expect(response.status).toBe(200);
  return response.body as KubernetesObject & { data?: Record<string, string>; metadata: { resourceVersion?: string; managedFields?: unknown[] } };
}
