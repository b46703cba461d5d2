// Test support for the syncer fault suite: real syncer processes (services/syncer/src/main.ts) against one Redis
// and one kube-apiserver, fed through the real sync queue with signed bundles (the renderer's part).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { BundleSigningKey, createProducers, redisKeys, signBundle, type KubernetesObject, type Producers, type RenderedBundle } from '@tidewater/queues';
import { leaderKey } from '@tidewater/syncer';
import { freePort, repoRoot, waitFor, type TestCluster } from '../harness/src/index.ts';
import { startProcess, type ManagedProcess } from '../harness/src/process.ts';

export const repoURL = 'https://git.example.com/faults/deploy.git';

export interface SyncerReplica {
  name: string;
  process: ManagedProcess;
  pid: number;
  metricsPort: number;
  /** `tidewater_syncer_leader` as this replica's /metrics reports it (undefined when it does not answer). */
  leaderGauge(): Promise<number | undefined>;
  /** Whether this replica's log says it started a sync of `app` at `revision`. */
  startedSync(app: string, revision: string): boolean;
}

export interface SyncerFleet {
  bundleKeyMaterial: string;
  signingKey: BundleSigningKey;
  producers: Producers;
  replicas: SyncerReplica[];
  start(name: string): Promise<SyncerReplica>;
  /** Stores a signed bundle for (app, revision), marks it the desired revision and queues its sync (a push's path). */
  requestSync(app: string, revision: string, objects: KubernetesObject[]): Promise<void>;
  /** The replica whose pid the leader key names, once one leads. */
  leader(): Promise<SyncerReplica>;
  close(): Promise<void>;
}

/** Writes the config directory: one Cluster (the test apiserver) and automated Applications with prune and self-heal. */
export function writeFaultConfig(dir: string, cluster: TestCluster, apps: readonly string[]): void {
  const documents = [
    ['apiVersion: tidewater.dev/v1alpha1', 'kind: Cluster', 'metadata: {name: faults}', `spec: {server: "${cluster.server}", kubeconfigRef: {file: "${cluster.kubeconfigPath}"}}`].join('\n'),
    ...apps.map((app) => [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${app}}`, 'spec:', '  project: default',
      `  source: {repoURL: "${repoURL}", targetRevision: main, path: ${app}}`,
      `  destination: {name: faults, namespace: ${app}}`,
      '  syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}',
    ].join('\n')),
  ];
  writeFileSync(join(dir, 'tidewater.yaml'), `${documents.join('\n---\n')}\n`);
}

export function createSyncerFleet(options: {
  redisUrl: string;
  producerConnection: Redis;
  configDir: string;
  logDir: string;
  env?: Record<string, string>;
}): SyncerFleet {
  const bundleKeyMaterial = randomBytes(32).toString('hex');
  const signingKey = new BundleSigningKey(Buffer.from(bundleKeyMaterial, 'utf8'));
  const producers = createProducers({ connection: options.producerConnection });
  const replicas: SyncerReplica[] = [];

  async function start(name: string): Promise<SyncerReplica> {
    const metricsPort = await freePort();
    const managed = startProcess(name, process.execPath, [join(repoRoot, 'services/syncer/src/main.ts')], {
      cwd: repoRoot, logDir: options.logDir,
      env: {
        REDIS_URL: options.redisUrl, TIDEWATER_CONFIG: options.configDir, TIDEWATER_BUNDLE_KEY: bundleKeyMaterial,
        METRICS_PORT: String(metricsPort), TIDEWATER_LOG_LEVEL: 'info', NO_COLOR: '1', ...options.env,
      },
    });
    const replica: SyncerReplica = {
      name, process: managed, pid: managed.child.pid ?? -1, metricsPort,
      async leaderGauge() {
        const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => undefined);
        if (!response?.ok) return undefined;
        const match = /^tidewater_syncer_leader (\d+)/m.exec(await response.text());
        return match ? Number(match[1]) : undefined;
      },
      startedSync(app, revision) {
        return managed.tail(100_000).split('\n').some((line) => line.includes('"sync started"') && line.includes(`"app":"${app}"`) && line.includes(revision));
      },
    };
    await waitFor(`${name} to serve its metrics`, async () => {
      if (managed.child.exitCode !== null) throw new Error(`${name} exited:\n${managed.tail()}`);
      return (await replica.leaderGauge()) !== undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    replicas.push(replica);
    return replica;
  }

  return {
    bundleKeyMaterial, signingKey, producers, replicas, start,
    async requestSync(app, revision, objects) {
      const bundleKey = redisKeys.bundle(`${app}:${revision}`);
      const bundle: RenderedBundle = { app, repoURL, revision, path: app, objects, renderedAt: new Date().toISOString(), renderer: 'directory' };
      await options.producerConnection.set(bundleKey, JSON.stringify(signBundle(bundle, signingKey)));
      await options.producerConnection.set(redisKeys.desiredRevision(app), JSON.stringify({ revision, at: new Date().toISOString() }));
      const { added } = await producers.requestSync({ app, revision, bundleKey, trigger: { kind: 'webhook', actor: 'faults' }, trace: {} });
      if (!added) throw new Error(`sync of ${app} at ${revision} was not queued`);
    },
    async leader() {
      return waitFor('a syncer leader', async () => {
        const value = await options.producerConnection.get(leaderKey);
        const pid = value ? Number(/-(\d+)-[\da-f]{6}$/.exec(value)?.[1]) : undefined;
        return replicas.find((replica) => replica.pid === pid && replica.process.child.exitCode === null && replica.process.child.signalCode === null);
      }, { timeoutMs: 60_000, intervalMs: 100 });
    },
    async close() {
      await Promise.all(replicas.map((replica) => replica.process.stop()));
      await producers.close();
    },
  };
}

export const newRevision = () => randomBytes(20).toString('hex');

export function configMaps(prefix: string, count: number, value: string): KubernetesObject[] {
  return Array.from({ length: count }, (_, index) => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${index}` }, data: { value },
  }));
}
