import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { createLogger, type Logger } from '@tidewater/telemetry';
import {
  makeWorkDir, repoRoot, startCluster, startGitServer, startRedis, startRegistry, toolPath,
  type GitRepo, type GitServer, type RedisInstance, type TestCluster, type TestRegistry,
} from '../harness/src/index.ts';
import { registryReceiverToken } from '@tidewater/gateway';

export const exampleRepoDir = join(repoRoot, 'examples/gitops-repo');
const placeholderRepoUrl = 'https://git.example.com/tidewater/gitops-repo.git';

export interface TidewaterEnvironment {
  redis: RedisInstance;
  cluster: TestCluster;
  git: GitServer;
  /** The example GitOps repository, pushed to the git server; pushes to it reach the gateway as GitHub webhooks. */
  repo: GitRepo;
  webhookSecret: string;
  gatewayUrl: string;
  auditorUrl: string;
  configDir: string;
  config(): TidewaterConfig;
  /** Rewrites the config dir's documents (e.g. a project change) and reloads them. */
  writeConfig(file: string, text: string): Promise<void>;
  tidewater: RunningTidewater;
  /** With `registry: true`: the local docker-registry, notifying the gateway; guestbook-dev follows `<host>/demo/guestbook`. */
  registry?: TestRegistry;
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  workloads?: boolean;
  /** Gateway port; 0 (default) picks a free one. */
  port?: number;
  logger?: Logger;
  /** Push the example repository's content (default true). */
  seedRepository?: boolean;
  /**
   * Also start a local docker-registry whose notifications reach the gateway, and let guestbook-dev follow
   * `<registry>/demo/guestbook` with Argo CD Image Updater annotations (semver, kustomization write-back).
   */
  registry?: boolean;
}

/**
 * Real Redis, a real control plane, a git server holding examples/gitops-repo, and every Tidewater service in
 * this process, wired exactly as an operator would: Repository and Cluster documents, a webhook secret from
 * the environment, and a post-receive hook that delivers each push as a signed GitHub webhook.
 */
export async function startTidewaterEnvironment(options: EnvironmentOptions = {}): Promise<TidewaterEnvironment> {
  const [redis, cluster, git] = await Promise.all([
    startRedis(), startCluster({ name: 'tidewater', workloads: options.workloads ?? false }), startGitServer(),
  ]);
  const work = makeWorkDir('env');
  const repo = git.createRepo('tidewater/gitops-repo');
  const webhookSecret = randomBytes(20).toString('hex');
  const secretEnv = `TIDEWATER_E2E_WEBHOOK_SECRET_${randomBytes(4).toString('hex').toUpperCase()}`;
  process.env[secretEnv] = webhookSecret;

  const configDir = join(work.dir, 'config');
  mkdirSync(configDir);
  for (const file of readdirSync(join(exampleRepoDir, 'tidewater'))) {
    const text = readFileSync(join(exampleRepoDir, 'tidewater', file), 'utf8').replaceAll(placeholderRepoUrl, repo.url);
    writeFileSync(join(configDir, file), text);
  }
  writeFileSync(join(configDir, 'platform.yaml'), [
    'apiVersion: tidewater.dev/v1alpha1',
    'kind: Repository',
    'metadata: {name: gitops-repo}',
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
  const registrySecret = randomBytes(20).toString('hex');
  if (options.registry) process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK = registrySecret;
  let config = await loadConfigDir(configDir);

  const tidewater = await startAll({
    redisUrl: redis.url,
    config: () => config,
    port: options.port ?? 0,
    cacheDir: join(work.dir, 'renderer-cache'),
    auditDir: join(work.dir, 'audit'),
    auditPort: 0,
    tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
    promoter: { cacheDir: join(work.dir, 'promoter-cache') },
    logger: options.logger ?? createLogger('e2e', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' }),
  });
  repo.setWebhook({ url: `${tidewater.gatewayUrl}/webhooks/git/github`, secret: webhookSecret });
  let registry: TestRegistry | undefined;
  if (options.registry) {
    registry = await startRegistry({
      notifyUrl: `${tidewater.gatewayUrl}/webhooks/registry/distribution`,
      notifyHeaders: { Authorization: `Bearer ${registryReceiverToken(registrySecret, 'distribution')}` },
    });
    const file = join(configDir, 'guestbook-dev.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/metadata:\n  name: guestbook-dev\n/, [
      'metadata:', '  name: guestbook-dev', '  annotations:',
      `    argocd-image-updater.argoproj.io/image-list: guestbook=${registry.host}/demo/guestbook:>=1.0.0`,
      '    argocd-image-updater.argoproj.io/guestbook.update-strategy: semver',
      '    argocd-image-updater.argoproj.io/guestbook.kustomize.image-name: registry.example.com/guestbook',
      '    argocd-image-updater.argoproj.io/write-back-target: kustomization', '',
    ].join('\n')));
    config = await loadConfigDir(configDir);
  }
  if (options.seedRepository ?? true) {
    const seed = makeWorkDir('seed');
    cpSync(exampleRepoDir, seed.dir, { recursive: true });
    await repo.commitDirectory(seed.dir, 'Import the example GitOps repository');
    seed.remove();
  }

  return {
    redis, cluster, git, repo, webhookSecret, configDir, tidewater, ...(registry ? { registry } : {}),
    gatewayUrl: tidewater.gatewayUrl,
    auditorUrl: tidewater.auditorUrl,
    config: () => config,
    async writeConfig(file, text) {
      writeFileSync(join(configDir, file), text);
      config = await loadConfigDir(configDir);
    },
    async stop() {
      await tidewater.close();
      await Promise.all([cluster.stop(), git.stop(), redis.stop(), registry?.stop()]);
      if (options.registry) delete process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK;
      delete process.env[secretEnv];
      work.remove();
    },
  };
}
