import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { redisKeys, type AppComparison, type AppHealth, type SyncResult } from '@tidewater/queues';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { createLogger } from '@tidewater/telemetry';
import {
  makeWorkDir, startCluster, startGitServer, startRedis, toolPath, waitFor,
  type ChangeSet, type GitRepo, type GitServer, type RedisInstance, type TestCluster,
} from '../harness/src/index.ts';

/** Real Redis, control plane and git server, and every Tidewater service in this process (`tide all`). */
export interface SyncModesEnvironment {
  redis: RedisInstance;
  /** A client of `redis` for the test's own reads. */
  client: Redis;
  cluster: TestCluster;
  git: GitServer;
  /** The GitOps repository the applications follow; pushes reach the gateway as signed GitHub webhooks. */
  repo: GitRepo;
  configDir: string;
  config(): TidewaterConfig;
  /** Writes a configuration document and reloads (as SIGHUP would). */
  writeConfig(file: string, text: string): Promise<void>;
  tidewater: RunningTidewater;
  comparison(app: string): Promise<AppComparison | undefined>;
  health(app: string): Promise<AppHealth | undefined>;
  syncStatus(app: string): Promise<SyncResult | undefined>;
  stop(): Promise<void>;
}

export interface SyncModesOptions {
  /** Files committed before Tidewater starts (no webhook delivers that commit: the start-up reconcile must find it). */
  seed: ChangeSet;
  /** Configuration documents by file name; `platform.yaml` (Repository, Cluster) is added. */
  config: Record<string, string>;
  reconcileIntervalMs?: number;
}

/** An Argo CD Application document of the test repository. */
export function applicationYaml(name: string, repoURL: string, options: {
  namespace: string; path?: string; project?: string; automated?: boolean | string; syncOptions?: string[]; retry?: string;
}): string {
  const automated = options.automated === true ? '    automated: {prune: true}' : typeof options.automated === 'string' ? `    automated: ${options.automated}` : '';
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    `metadata: {name: ${name}}`,
    'spec:',
    `  project: ${options.project ?? 'default'}`,
    `  source: {repoURL: ${repoURL}, targetRevision: main, path: ${options.path ?? `apps/${name}`}}`,
    `  destination: {name: in-cluster, namespace: ${options.namespace}}`,
    '  syncPolicy:',
    ...(automated ? [automated] : []),
    `    syncOptions: [${(options.syncOptions ?? ['CreateNamespace=true']).join(', ')}]`,
    ...(options.retry ? [`    retry: ${options.retry}`] : []),
    '',
  ].join('\n');
}

export function configMapYaml(name: string, data: Record<string, string>, options: { namespace?: string; wave?: number } = {}): string {
  return [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    ...(options.namespace ? [`  namespace: ${options.namespace}`] : []),
    ...(options.wave !== undefined ? ['  annotations:', `    argocd.argoproj.io/sync-wave: "${options.wave}"`] : []),
    'data:',
    ...Object.entries(data).map(([key, value]) => `  ${key}: "${value}"`),
    '',
  ].join('\n');
}

export async function startSyncModesEnvironment(options: SyncModesOptions): Promise<SyncModesEnvironment> {
  const [redis, cluster, git] = await Promise.all([startRedis(), startCluster({ name: 'sync-modes' }), startGitServer()]);
  const work = makeWorkDir('sync-modes');
  const repo = git.createRepo(`team/gitops-${randomBytes(3).toString('hex')}`);
  await repo.commit(options.seed, 'Seed before Tidewater starts');
  const webhookSecret = randomBytes(20).toString('hex');
  const secretEnv = `TIDEWATER_SECRET_E2E_SYNC_MODES_${randomBytes(4).toString('hex').toUpperCase()}`;
  process.env[secretEnv] = webhookSecret;

  const configDir = join(work.dir, 'config');
  mkdirSync(configDir);
  for (const [file, text] of Object.entries(options.config)) writeFileSync(join(configDir, file), text.replaceAll('REPO_URL', repo.url));
  writeFileSync(join(configDir, 'platform.yaml'), [
    'apiVersion: tidewater.dev/v1alpha1',
    'kind: Repository',
    'metadata: {name: gitops}',
    'spec:',
    `  url: ${repo.url}`,
    `  webhookSecretRef: {env: ${secretEnv}}`,
    '---',
    'apiVersion: tidewater.dev/v1alpha1',
    'kind: Cluster',
    'metadata: {name: in-cluster}',
    'spec:',
    `  server: ${cluster.server}`,
    `  kubeconfigRef: {file: ${cluster.kubeconfigPath}}`,
    '',
  ].join('\n'));
  let config = await loadConfigDir(configDir);
  const tidewater = await startAll({
    redisUrl: redis.url,
    config: () => config,
    port: 0,
    cacheDir: join(work.dir, 'renderer-cache'),
    auditDir: join(work.dir, 'audit'),
    auditPort: 0,
    tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
    ...(options.reconcileIntervalMs ? { reconcileIntervalMs: options.reconcileIntervalMs } : {}),
    logger: createLogger('e2e', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' }),
  });
  repo.setWebhook({ url: `${tidewater.gatewayUrl}/webhooks/git/github`, secret: webhookSecret });
  const client = new Redis(redis.url);
  const read = async <T>(key: string) => {
    const raw = await client.get(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  };

  return {
    redis, client, cluster, git, repo, configDir, tidewater,
    config: () => config,
    async writeConfig(file, text) {
      writeFileSync(join(configDir, file), text.replaceAll('REPO_URL', repo.url));
      config = await loadConfigDir(configDir);
    },
    comparison: (app) => read<AppComparison>(redisKeys.comparison(app)),
    health: (app) => read<AppHealth>(redisKeys.appHealth(app)),
    syncStatus: (app) => read<SyncResult>(redisKeys.syncStatus(app)),
    async stop() {
      client.disconnect();
      await tidewater.close();
      await Promise.all([cluster.stop(), git.stop(), redis.stop()]);
      delete process.env[secretEnv];
      work.remove();
    },
  };
}

/** Waits for the app's comparison at `revision` (optionally with `status`). */
export function waitForComparison(env: SyncModesEnvironment, app: string, revision: string, status?: AppComparison['status'], timeoutMs = 60_000): Promise<AppComparison> {
  return waitFor(`${app} compared at ${revision.slice(0, 12)}${status ? ` as ${status}` : ''}`, async () => {
    const comparison = await env.comparison(app);
    return comparison?.revision === revision && (!status || comparison.status === status) ? comparison : undefined;
  }, { timeoutMs, intervalMs: 100 });
}
