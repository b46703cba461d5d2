import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultSecretDirs, loadConfigDir, secretScopeVariables, type TidewaterConfig } from '@tidewater/config';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { createLogger, type Logger } from '@tidewater/telemetry';
import {
  makeWorkDir, repoRoot, startCluster, startGitServer, startRedis, toolPath,
  type GitRepo, type GitServer, type RedisInstance, type SecureRedisOptions, type TestCluster,
} from '../harness/src/index.ts';

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
  /** The operator API (started by startAll) and the admin's password there. */
  apiUrl: string;
  adminPassword: string;
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  workloads?: boolean;
  /** Gateway port; 0 (default) picks a free one. */
  port?: number;
  logger?: Logger;
  /** Push the example repository's content (default true). */
  seedRepository?: boolean;
  /** Run Redis locked (password, ACL user, TLS); every service connects through REDIS_URL + REDIS_TLS_CA_FILE. */
  redis?: SecureRedisOptions;
  /** The operator API's port; 0 (default) picks a free one. */
  apiPort?: number;
}

/**
 * Real Redis, a real control plane, a git server holding examples/gitops-repo, and every Tidewater service in
 * this process, wired exactly as an operator would: Repository and Cluster documents, a webhook secret from
 * the environment, and a post-receive hook that delivers each push as a signed GitHub webhook.
 */
export async function startTidewaterEnvironment(options: EnvironmentOptions = {}): Promise<TidewaterEnvironment> {
  const [redis, cluster, git] = await Promise.all([
    startRedis(options.redis), startCluster({ name: 'tidewater', workloads: options.workloads ?? false }), startGitServer(),
  ]);
  const work = makeWorkDir('env');
  const repo = git.createRepo('tidewater/gitops-repo');
  const webhookSecret = randomBytes(20).toString('hex');
  const secretEnv = `TIDEWATER_SECRET_E2E_WEBHOOK_${randomBytes(4).toString('hex').toUpperCase()}`;
  process.env[secretEnv] = webhookSecret;
  // Secret references reach only TIDEWATER_SECRET_* variables and files under TIDEWATER_SECRET_DIRS: the harness's
  // kubeconfig directory joins the secret directories, as an operator would list where the kubeconfig is mounted.
  const secretDirsBefore = process.env[secretScopeVariables.dirs];
  process.env[secretScopeVariables.dirs] = [secretDirsBefore || defaultSecretDirs.join(':'), dirname(cluster.kubeconfigPath)].join(':');

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
  let config = await loadConfigDir(configDir);
  const caFileBefore = process.env.REDIS_TLS_CA_FILE;
  if (redis.caFile) process.env.REDIS_TLS_CA_FILE = redis.caFile;
  const adminPassword = randomBytes(12).toString('base64url');

  const tidewater = await startAll({
    redisUrl: redis.url,
    config: () => config,
    port: options.port ?? 0,
    cacheDir: join(work.dir, 'renderer-cache'),
    auditDir: join(work.dir, 'audit'),
    auditPort: 0,
    apiPort: options.apiPort ?? 0,
    adminPassword,
    stateDir: join(work.dir, 'state'),
    tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
    logger: options.logger ?? createLogger('e2e', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' }),
  });
  repo.setWebhook({ url: `${tidewater.gatewayUrl}/webhooks/git/github`, secret: webhookSecret });
  if (options.seedRepository ?? true) {
    const seed = makeWorkDir('seed');
    cpSync(exampleRepoDir, seed.dir, { recursive: true });
    await repo.commitDirectory(seed.dir, 'Import the example GitOps repository');
    seed.remove();
  }

  return {
    redis, cluster, git, repo, webhookSecret, configDir, tidewater,
    gatewayUrl: tidewater.gatewayUrl,
    auditorUrl: tidewater.auditorUrl,
    apiUrl: tidewater.apiUrl,
    adminPassword,
    config: () => config,
    async writeConfig(file, text) {
      writeFileSync(join(configDir, file), text);
      config = await loadConfigDir(configDir);
    },
    async stop() {
      await tidewater.close();
      await Promise.all([cluster.stop(), git.stop(), redis.stop()]);
      delete process.env[secretEnv];
      if (caFileBefore === undefined) delete process.env.REDIS_TLS_CA_FILE;
      else process.env.REDIS_TLS_CA_FILE = caFileBefore;
      if (secretDirsBefore === undefined) delete process.env[secretScopeVariables.dirs];
      else process.env[secretScopeVariables.dirs] = secretDirsBefore;
      work.remove();
    },
  };
}
