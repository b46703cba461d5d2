import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { createLiveConfig, loadConfigSource, type LiveConfig, type TidewaterConfig } from '@tidewater/config';
import { redisKeys, subscribeConfigChanges, type AppComparison, type SyncResult } from '@tidewater/queues';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { createLogger, onHangup } from '@tidewater/telemetry';
import {
  describePush, makeWorkDir, sendGithubPush, startCluster, startGitServer, startRedis, toolPath, waitFor,
  type GitRepo, type GitServer, type RedisInstance, type TestCluster,
} from '../harness/src/index.ts';
import { applicationYaml, configMapYaml } from './sync-modes-environment.ts';

const project = (namespaces: string) => [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: AppProject',
  'metadata: {name: team}',
  'spec:',
  '  sourceRepos: ["*"]',
  `  destinations: [{name: in-cluster, namespace: "${namespaces}"}]`,
  '  clusterResourceWhitelist: [{group: "", kind: Namespace}]',
  '',
].join('\n');

/**
 * Tidewater wired as `tide all` with a `git::` configuration source: the configuration lives in its own repository,
 * and a push to it (webhook through the gateway), SIGHUP, or a poll reloads every service without a restart.
 */
describe('live configuration from a git:: source (real control plane)', () => {
  let redisServer: RedisInstance;
  let cluster: TestCluster;
  let git: GitServer;
  let apps: GitRepo;
  let configRepo: GitRepo;
  let client: Redis;
  let core: CoreV1Api;
  let tidewater: RunningTidewater;
  let live: LiveConfig;
  let changes: { close(): Promise<void> };
  let config: TidewaterConfig;
  let reloads = 0;
  let webhook: { url: string; secret: string };
  const work = makeWorkDir('live-config');
  const secretEnv = `TIDEWATER_SECRET_E2E_LIVE_CONFIG_${randomBytes(4).toString('hex').toUpperCase()}`;
  const configMap = (name: string, namespace: string) => core.readNamespacedConfigMap({ name, namespace }).then((found) => found.data, () => undefined);
  const read = async <T>(key: string) => {
    const raw = await client.get(key);
    return raw ? JSON.parse(raw) as T : undefined;
  };

  beforeAll(async () => {
    [redisServer, cluster, git] = await Promise.all([startRedis(), startCluster({ name: 'live-config' }), startGitServer()]);
    client = new Redis(redisServer.url);
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    apps = git.createRepo('team/apps');
    configRepo = git.createRepo('platform/tidewater-config');
    webhook = { url: '', secret: randomBytes(20).toString('hex') };
    process.env[secretEnv] = webhook.secret;
    await apps.commit({
      'apps/guarded/settings.yaml': configMapYaml('guarded', { version: '1' }),
      'apps/newcomer/settings.yaml': configMapYaml('newcomer', { hello: 'webhook' }),
      'apps/by-signal/settings.yaml': configMapYaml('by-signal', { hello: 'sighup' }),
    }, 'Applications');
    await configRepo.commit({
      'tidewater/platform.yaml': [
        ...[['apps', apps.url], ['config', configRepo.url]].flatMap(([name, url]) => [
          'apiVersion: tidewater.dev/v1alpha1', 'kind: Repository', `metadata: {name: ${name}}`, 'spec:', `  url: ${url}`, `  webhookSecretRef: {env: ${secretEnv}}`, '---',
        ]),
        'apiVersion: tidewater.dev/v1alpha1', 'kind: Cluster', 'metadata: {name: in-cluster}', 'spec:',
        `  server: ${cluster.server}`, `  kubeconfigRef: {file: ${cluster.kubeconfigPath}}`, '',
      ].join('\n'),
      'tidewater/project.yaml': project('guarded'),
      'tidewater/guarded.yaml': applicationYaml('guarded', apps.url, { namespace: 'guarded', project: 'team', automated: true }),
    }, 'Tidewater configuration');

    const source = `git::${configRepo.url}//tidewater?ref=main`;
    const logger = createLogger('e2e', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' });
    config = await loadConfigSource(source, join(work.dir, 'config-checkouts'));
    // As `tide all` composes it (services/tide/src/main.ts): no poll here, so only the webhook and SIGHUP reload.
    live = createLiveConfig({ source, initial: config, logger, pollIntervalMs: 0, apply: (next) => { config = next; reloads += 1; } });
    changes = subscribeConfigChanges(redisServer.url, () => void live.reload('webhook'));
    onHangup(() => void live.reload('signal'));
    tidewater = await startAll({
      redisUrl: redisServer.url, config: () => config, configSource: source, port: 0,
      cacheDir: join(work.dir, 'renderer-cache'), auditDir: join(work.dir, 'audit'), auditPort: 0,
      tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') }, logger,
    });
    webhook.url = `${tidewater.gatewayUrl}/webhooks/git/github`;
    apps.setWebhook(webhook);
    configRepo.setWebhook(webhook);
  });
  afterAll(async () => {
    live?.close();
    await changes?.close();
    client?.disconnect();
    await tidewater?.close();
    await Promise.all([cluster?.stop(), git?.stop(), redisServer?.stop()]);
    delete process.env[secretEnv];
    work.remove();
  });

  it('syncs the configured application at start', async () => {
    await waitFor('guarded synced at start', async () => (await configMap('guarded', 'guarded'))?.version === '1', { timeoutMs: 60_000 });
  });

  it('syncs a new Application pushed to the configuration repository, without a restart (push webhook)', async () => {
    await configRepo.commit({ 'tidewater/newcomer.yaml': applicationYaml('newcomer', apps.url, { namespace: 'newcomer', automated: true }) }, 'Add newcomer');
    await waitFor('newcomer synced', async () => (await configMap('newcomer', 'newcomer'))?.hello === 'webhook', { timeoutMs: 60_000 });
    expect(config.applications.map((application) => application.metadata.name)).toContain('newcomer');
  });

  it('enforces a tightened AppProject at once: the app is refused and OutOfSync, a new commit is not applied', async () => {
    await configRepo.commit({ 'tidewater/project.yaml': project('elsewhere-*') }, 'Tighten project team');
    const comparison = await waitFor('guarded refused by its project', async () => {
      const current = await read<AppComparison>(redisKeys.comparison('guarded'));
      return current?.status === 'OutOfSync' && /not permitted by project team/.test(current.reason ?? '') ? current : undefined;
    }, { timeoutMs: 60_000 });
    expect(comparison.syncPolicy).toBe('automated');
    expect(await read<SyncResult>(redisKeys.syncStatus('guarded'))).toMatchObject({ phase: 'Failed', message: expect.stringMatching(/not permitted by project team/) });

    const pushed = await apps.commit({ 'apps/guarded/settings.yaml': configMapYaml('guarded', { version: '2' }) }, 'guarded v2');
    await waitFor('guarded v2 refused', async () => {
      const status = await read<SyncResult>(redisKeys.syncStatus('guarded'));
      return status?.revision === pushed.sha && status.phase === 'Failed' ? status : undefined;
    }, { timeoutMs: 60_000 });
    expect((await configMap('guarded', 'guarded'))?.version).toBe('1');
  });

  it('refuses a forged push to the configuration repository: no reload', async () => {
    const before = reloads;
    const head = configRepo.head();
    const forged = {
      cloneUrl: configRepo.url, fullName: 'platform/tidewater-config', ref: 'refs/heads/main', before: head, after: head,
      commits: describePush(configRepo.gitDir, 'refs/heads/main', head, head),
    };
    const response = await sendGithubPush(webhook.url, 'not-the-secret', forged);
    expect(response.status).toBe(401);
    // A genuine push afterwards reloads exactly once: the forged one never did.
    await configRepo.commit({ 'tidewater/note.yaml': '' }, 'Touch the configuration');
    await waitFor('the genuine reload', () => (reloads > before ? true : undefined), { timeoutMs: 60_000 });
    expect(reloads).toBe(before + 1);
  });

  it('reloads on SIGHUP (a commit whose webhook never arrived)', async () => {
    configRepo.setWebhook(undefined);
    await configRepo.commit({ 'tidewater/by-signal.yaml': applicationYaml('by-signal', apps.url, { namespace: 'by-signal', automated: true }) }, 'Add by-signal, no webhook');
    process.kill(process.pid, 'SIGHUP');
    await waitFor('by-signal synced after SIGHUP', async () => (await configMap('by-signal', 'by-signal'))?.hello === 'sighup', { timeoutMs: 60_000 });
    configRepo.setWebhook(webhook);
  });
});
