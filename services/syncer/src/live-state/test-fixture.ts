// Test support for the live-state, drift and diff suites: a real control plane, a real Redis and the real syncer
// worker (sync queue → processSyncJob → live state). Imported by tests only.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { ArgoApplication, Cluster, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, readAllEvents, type CloudEvent, type EventPublisher } from '@tidewater/events';
import { createRedisConnection, generateBundleSigningKey, queueNames, redisKeys, signBundle, type AppHealth, type KubernetesObject, type RenderedBundle, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startCluster, startRedis, waitFor, type RedisInstance, type TestCluster } from '../../../../test/harness/src/index.ts';
import { createClusterRegistry, type ClusterRegistry } from '../clusters/cluster-registry.ts';
import { createSyncer, type Syncer, type SyncerDeps } from '../syncer.ts';

export interface AppOptions {
  namespace: string;
  selfHeal?: boolean;
  annotations?: Record<string, string>;
  automated?: boolean;
}

export interface SyncOutcome {
  state: 'completed' | 'failed';
  result?: SyncResult;
  failedReason?: string;
  revision: string;
  bundleKey: string;
}

export interface LiveStateFixture {
  redis: Redis;
  redisUrl: string;
  cluster: TestCluster;
  clusters: ClusterRegistry;
  config: TidewaterConfig;
  events: EventPublisher;
  syncer: Syncer;
  core: CoreV1Api;
  apps: AppsV1Api;
  prefix: string;
  defineApp(name: string, options: AppOptions): ArgoApplication;
  /** Stores a bundle as the renderer would, queues its sync and waits for the job to finish. */
  sync(app: string, objects: KubernetesObject[], options?: { revision?: string }): Promise<SyncOutcome>;
  /** Events of one application (every event with `app` undefined), optionally of one type. */
  eventsOf(app: string | undefined, type?: string): Promise<CloudEvent[]>;
  health(app: string): Promise<AppHealth | undefined>;
  /** JSON merge patch by another field manager, as `kubectl edit` / `kubectl patch --type merge` would send. */
  patch(path: string, body: unknown, manager?: string): Promise<Record<string, unknown>>;
  request(method: 'GET' | 'DELETE', path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export const deployment = (name: string, replicas = 1, extra: { cpu?: string; progressDeadlineSeconds?: number; labels?: Record<string, string> } = {}): KubernetesObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
  spec: {
    replicas,
    ...(extra.progressDeadlineSeconds ? { progressDeadlineSeconds: extra.progressDeadlineSeconds } : {}),
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ...(extra.cpu ? { resources: { requests: { cpu: extra.cpu } } } : {}) }] },
    },
  },
});

export const configMap = (name: string, data: Record<string, string> = { key: 'value' }): KubernetesObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data,
});

export async function startLiveStateFixture(options: {
  name: string;
  workloads?: boolean;
  liveState?: Exclude<SyncerDeps['liveState'], boolean>;
}): Promise<LiveStateFixture> {
  const [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: options.name, workloads: options.workloads ?? true })]);
  const redis = createRedisConnection(redisServer.url, 'worker');
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const queue = new Queue(queueNames.sync, { connection: redis, prefix });
  const clusterDocument: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'test' },
    spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } },
  };
  const config: TidewaterConfig = { applications: [], projects: [], repositories: [], clusters: [clusterDocument], otherDocuments: [], warnings: [] };
  const clusters = createClusterRegistry(() => config);
  const events = createEventPublisher({ redis, source: '/tidewater/syncer' });
  const logger = createLogger('live-state-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // Bundles are written here as the renderer writes them: signed with the key the syncer verifies.
  const bundleSigningKey = generateBundleSigningKey();
  const syncer = createSyncer({
    config: () => config, redis, events, logger, clusters, bundleSigningKey, prefix, concurrency: 4,
    liveState: { debounceMs: 50, staleAfterMs: 1_000, rescanIntervalMs: 60_000, watch: { retryDelayMs: { initial: 100, max: 1_000 } }, ...options.liveState },
  });
  const transport = clusters.byName('test')!.transport;
  let counter = 0;

  return {
    redis, redisUrl: redisServer.url, cluster, clusters, config, events, syncer, prefix,
    core: cluster.kubeConfig.makeApiClient(CoreV1Api),
    apps: cluster.kubeConfig.makeApiClient(AppsV1Api),
    defineApp(name, appOptions) {
      const application: ArgoApplication = {
        apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
        metadata: { name, ...(appOptions.annotations ? { annotations: appOptions.annotations } : {}) },
        spec: {
          project: 'default',
          source: { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: name },
          destination: { name: 'test', namespace: appOptions.namespace },
          syncPolicy: {
            ...(appOptions.automated === false ? {} : { automated: { prune: true, selfHeal: appOptions.selfHeal ?? false } }),
            syncOptions: ['CreateNamespace=true'],
          },
        },
      };
      const index = config.applications.findIndex((candidate) => candidate.metadata.name === name);
      if (index >= 0) config.applications.splice(index, 1);
      config.applications.push(application);
      return application;
    },
    async sync(app, objects, syncOptions = {}) {
      const revision = syncOptions.revision ?? `${app}-${++counter}`.padEnd(40, '0');
      const bundleKey = redisKeys.bundle(`${app}-${revision}`);
      const bundle: RenderedBundle = {
        app, repoURL: 'https://git.example.com/team/deploy.git', revision, path: app, objects, renderedAt: new Date().toISOString(), renderer: 'directory',
      };
      await redis.set(bundleKey, JSON.stringify(signBundle(bundle, bundleSigningKey)));
      await redis.set(redisKeys.desiredRevision(app), JSON.stringify({ revision, at: new Date().toISOString() }));
      const job = await queue.add('sync', { app, revision, bundleKey, trigger: { kind: 'webhook' } }, { attempts: 1 });
      return waitFor(`the sync of ${app} to finish`, async () => {
        // The state first, then the job: a job read before it finished would lack its result or reason.
        const state = await queue.getJobState(job.id!);
        const current = await queue.getJob(job.id!);
        if (state === 'completed') return { state, result: current!.returnvalue as SyncResult, revision, bundleKey } as const;
        if (state === 'failed') return { state, failedReason: current!.failedReason, revision, bundleKey } as const;
        return undefined;
      }, { timeoutMs: 45_000, intervalMs: 50 });
    },
    async eventsOf(app, type) {
      return (await readAllEvents(redis)).filter((event) => (app === undefined || event.data.app === app) && (type === undefined || event.type === type));
    },
    async health(app) {
      const raw = await redis.get(redisKeys.appHealth(app));
      return raw ? (JSON.parse(raw) as AppHealth) : undefined;
    },
    async patch(path, body, manager = 'kubectl-edit') {
      const response = await transport.request<Record<string, unknown>>({
        method: 'PATCH', path: `${path}?fieldManager=${manager}`, contentType: 'application/merge-patch+json', body,
      });
      if (response.status !== 200) throw new Error(`patch ${path}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async request(method, path) {
      const response = await transport.request<Record<string, unknown>>({ method, path });
      return { status: response.status, body: response.body };
    },
    async stop() {
      await syncer.close();
      await queue.close();
      clusters.close();
      await redis.quit();
      await Promise.all([cluster.stop(), redisServer.stop()]);
    },
  };
}
