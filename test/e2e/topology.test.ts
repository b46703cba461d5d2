// The deployed shape: gateway, renderer, syncer, notifier, auditor, api and promoter as separate processes, each with
// only its own environment (its credentials and nothing else); the syncer talks to the cluster with a ServiceAccount
// token bound by the chart's own RBAC (helm template → applied to the test apiserver), not as system:masters.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '@tidewater/events';
import {
  freePort, makeWorkDir, repoRoot, startCluster, startGitServer, startRedis, toolPath, waitFor,
  type GitRepo, type GitServer, type RedisInstance, type TestCluster,
} from '../harness/src/index.ts';
import { startSlackSink, type SlackSink } from '../../services/notifier/src/test-support/slack-sink.ts';
import { eventsOf, waitForSync } from './helpers.ts';

const run = promisify(execFile);
const namespace = 'tidewater';
const app = 'topology-settings';
const services = ['gateway', 'renderer', 'syncer', 'notifier', 'auditor', 'api', 'promoter'] as const;
type Service = typeof services[number];

interface Spawned { name: Service; child: ChildProcess; logFile: string; exited: Promise<number | null> }

/** A service as its own process with exactly `env` (plus PATH/HOME), its output in `<logDir>/<name>.log`. */
function spawnService(name: Service, env: Record<string, string>, logDir: string): Spawned {
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  // setpriv: the child dies with the test process even when that is SIGKILLed.
  const child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', join(repoRoot, 'scripts/with-node'), 'node', `services/${name}/src/main.ts`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TIDEWATER_LOG_FORMAT: 'json', TIDEWATER_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
  return { name, child, logFile, exited };
}

const tail = (file: string) => readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');

describe('the five-process topology, each service with only its own credentials', () => {
  let redis: RedisInstance;
  let cluster: TestCluster;
  let git: GitServer;
  let repo: GitRepo;
  let slack: SlackSink;
  let client: Redis;
  let core: CoreV1Api;
  let syncerToken: string;
  let secretsDir: string;
  let chartSyncerEnv: Record<string, string> = {};
  let work: ReturnType<typeof makeWorkDir>;
  const running: Spawned[] = [];
  const envs = {} as Record<Service, Record<string, string>>;
  let gatewayUrl = '';
  let auditorUrl = '';
  let apiUrl = '';
  const slackPath = '/services/T000/B000/topology-token';

  beforeAll(async () => {
    [redis, cluster, git, slack] = await Promise.all([startRedis(), startCluster({ name: 'topology' }), startGitServer(), startSlackSink()]);
    work = makeWorkDir('topology');
    client = new Redis(redis.url);
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);

    // The chart's RBAC for the syncer, rendered as an operator installs it, applied by the cluster's admin.
    const { stdout } = await run(toolPath('helm'), ['template', 'tidewater', join(repoRoot, 'deploy/helm/tidewater'), '--namespace', namespace], { maxBuffer: 16 << 20 });
    const rendered = parseAllDocuments(stdout).map((doc) => doc.toJS() as { kind: string; metadata: { name: string } }).filter(Boolean);
    // The syncer's settings the chart gives it with namespaced RBAC (it watches only the release namespace).
    const syncerDeployment = rendered.find((object) => object.kind === 'Deployment' && object.metadata.name === 'tidewater-syncer') as unknown as
      { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } } };
    chartSyncerEnv = Object.fromEntries(syncerDeployment.spec.template.spec.containers[0].env
      .filter((entry) => entry.name === 'TIDEWATER_WATCH_NAMESPACE').map((entry) => [entry.name, entry.value ?? '']));
    expect(chartSyncerEnv).toEqual({ TIDEWATER_WATCH_NAMESPACE: namespace });
    const rbac = rendered.filter((object) => ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind)
      || (object.kind === 'ServiceAccount' && object.metadata.name === 'tidewater-syncer'));
    expect(rbac.map((object) => `${object.kind}/${object.metadata.name}`).sort())
      .toEqual(['Role/tidewater-syncer', 'RoleBinding/tidewater-syncer', 'ServiceAccount/tidewater-syncer']);
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (const object of rbac) await cluster.apply(object as unknown as Record<string, unknown>);
    // A bound token for the syncer's ServiceAccount (TokenRequest API), in a kubeconfig only the syncer reads.
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      name: 'tidewater-syncer', namespace, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 3600 } },
    });
    syncerToken = tokenRequest.status?.token ?? '';
    expect(syncerToken).not.toBe('');
    // Secret files live under one directory (the processes' TIDEWATER_SECRET_DIRS), each service's in its own folder.
    secretsDir = join(work.dir, 'secrets');
    const syncerSecrets = join(secretsDir, 'syncer');
    mkdirSync(syncerSecrets, { recursive: true });
    copyFileSync(cluster.kubeConfig.getCurrentCluster()!.caFile!, join(syncerSecrets, 'ca.crt'));
    const kubeconfig = join(syncerSecrets, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters: [{name: topology, cluster: {server: "' + cluster.server + '", certificate-authority: ' + join(syncerSecrets, 'ca.crt') + '}}]',
      `users: [{name: tidewater-syncer, user: {token: ${syncerToken}}}]`,
      'contexts: [{name: topology, context: {cluster: topology, user: tidewater-syncer}}]', 'current-context: topology', '',
    ].join('\n'), { mode: 0o600 });

    // Git: one application of plain YAML into the release namespace (what a namespaced install may deploy to).
    repo = git.createRepo('tidewater/topology');
    const webhookSecret = randomBytes(20).toString('hex');
    const configDir = join(work.dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'topology.yaml'), [
      'apiVersion: tidewater.dev/v1alpha1', 'kind: Repository', 'metadata: {name: topology}', 'spec:',
      `  url: ${repo.url}`, '  webhookSecretRef: {env: TIDEWATER_SECRET_TOPOLOGY_WEBHOOK}',
      '---',
      'apiVersion: tidewater.dev/v1alpha1', 'kind: Cluster', 'metadata: {name: in-cluster}', 'spec:',
      `  server: ${cluster.server}`, `  kubeconfigRef: {file: ${kubeconfig}}`,
      '---',
      'apiVersion: argoproj.io/v1alpha1', 'kind: AppProject', 'metadata: {name: platform, namespace: argocd}', 'spec:',
      `  sourceRepos: [${repo.url}]`, `  destinations: [{server: ${cluster.server}, namespace: ${namespace}}]`,
      '  namespaceResourceWhitelist: [{group: "", kind: ConfigMap}]',
      '---',
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${app}, namespace: argocd}`, 'spec:',
      '  project: platform', `  source: {repoURL: ${repo.url}, targetRevision: main, path: apps/settings}`,
      `  destination: {server: ${cluster.server}, namespace: ${namespace}}`,
      '  syncPolicy: {automated: {prune: true, selfHeal: true}}',
      '---',
      'apiVersion: tidewater.dev/v1alpha1', 'kind: NotificationChannel', 'metadata: {name: team-slack}', 'spec:',
      '  type: slack', '  webhookUrlRef: {env: TIDEWATER_SECRET_TOPOLOGY_SLACK}', `  apiUrl: ${slack.url}/api`,
      `  subscriptions: [{trigger: on-sync-succeeded, apps: [${app}]}]`, '',
    ].join('\n'));

    const [gatewayPort, auditorPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    auditorUrl = `http://127.0.0.1:${auditorPort}`;
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const bundleKey = randomBytes(32).toString('hex');
    // TIDEWATER_SECRET_DIRS is the scope every process validates `{file: …}` references against when it loads the
    // configuration (as the chart sets it for every pod); only the syncer reads the kubeconfig there.
    const common = { REDIS_URL: redis.url, TIDEWATER_CONFIG: configDir, TIDEWATER_SECRET_DIRS: secretsDir };
    mkdirSync(join(secretsDir, 'api'));
    const adminPasswordFile = join(secretsDir, 'api', 'admin-password');
    writeFileSync(adminPasswordFile, randomBytes(12).toString('base64url'), { mode: 0o600 });
    Object.assign(envs, {
      gateway: { ...common, PORT: String(gatewayPort), TIDEWATER_SECRET_TOPOLOGY_WEBHOOK: webhookSecret },
      renderer: { ...common, TIDEWATER_BUNDLE_KEY: bundleKey, TIDEWATER_CACHE_DIR: join(work.dir, 'renderer-cache'), TIDEWATER_HELM: toolPath('helm'), TIDEWATER_KUSTOMIZE: toolPath('kustomize') },
      syncer: { ...common, ...chartSyncerEnv, TIDEWATER_BUNDLE_KEY: bundleKey, TIDEWATER_RECONCILE_INTERVAL_MS: '600000' },
      notifier: { ...common, TIDEWATER_SECRET_TOPOLOGY_SLACK: `${slack.url}${slackPath}` },
      auditor: { ...common, PORT: String(auditorPort), TIDEWATER_AUDIT_DIR: join(work.dir, 'audit') },
      api: { ...common, PORT: String(apiPort), AUDITOR_URL: auditorUrl, TIDEWATER_STATE_DIR: join(work.dir, 'api-state'), TIDEWATER_ADMIN_PASSWORD_FILE: adminPasswordFile },
      promoter: { ...common, TIDEWATER_PROMOTER_CACHE_DIR: join(work.dir, 'promoter-cache') },
    } satisfies Record<Service, Record<string, string>>);
    for (const service of services) running.push(spawnService(service, envs[service], work.dir));

    const up = async (url: string) => (await fetch(url).catch(() => undefined))?.ok === true;
    // A process that exits during start-up fails the suite at once, with its last lines.
    let starting = true;
    const firstExit = Promise.race(running.map((process) => process.exited.then((code) => {
      if (starting) throw new Error(`${process.name} exited ${code} during start-up:\n${tail(process.logFile)}`);
    })));
    await Promise.race([firstExit, (async () => {
      await waitFor('gateway, auditor and api to answer', async () =>
        (await up(`${gatewayUrl}/readyz`)) && (await up(`${auditorUrl}/healthz`)) && (await up(`${apiUrl}/healthz`)), { timeoutMs: 120_000, intervalMs: 200 });
      await waitFor('the workers to start', async () => ['renderer', 'syncer', 'notifier', 'promoter']
        .every((name) => readFileSync(join(work.dir, `${name}.log`), 'utf8').includes(`"msg":"${name} started"`)), { timeoutMs: 120_000, intervalMs: 200 });
    })()]);
    starting = false;
    firstExit.catch(() => undefined);
    repo.setWebhook({ url: `${gatewayUrl}/webhooks/git/github`, secret: webhookSecret });
  }, 300_000);

  afterAll(async () => {
    for (const process of running) process.child.kill('SIGTERM');
    await Promise.all(running.map((process) => Promise.race([process.exited, new Promise((resolveLater) => setTimeout(resolveLater, 15_000))])));
    for (const process of running) if (process.child.exitCode === null) process.child.kill('SIGKILL');
    client?.disconnect();
    await Promise.all([cluster?.stop(), git?.stop(), redis?.stop(), slack?.close()]);
    work?.remove();
  }, 60_000);

  it('gives each process only its own credentials, and the syncer a token that is not cluster-admin', async () => {
    const holders = (variable: string) => services.filter((service) => variable in envs[service]);
    expect(holders('TIDEWATER_SECRET_TOPOLOGY_WEBHOOK')).toEqual(['gateway']);
    expect(holders('TIDEWATER_SECRET_TOPOLOGY_SLACK')).toEqual(['notifier']);
    expect(holders('TIDEWATER_BUNDLE_KEY')).toEqual(['renderer', 'syncer']);
    expect(services.filter((service) => Object.keys(envs[service]).some((key) => key.startsWith('KUBECONFIG')))).toEqual([]);
    // The token the syncer holds: namespaced rights only (the chart's default Role), no cluster-wide reads.
    const ca = readFileSync(cluster.kubeConfig.getCurrentCluster()!.caFile!);
    const { request } = await import('node:https');
    const status = (path: string) => new Promise<number>((resolveStatus, reject) => {
      request(`${cluster.server}${path}`, { ca, headers: { Authorization: `Bearer ${syncerToken}` } }, (response) => {
        response.resume();
        resolveStatus(response.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(await status('/api/v1/namespaces')).toBe(403);
    expect(await status('/api/v1/namespaces/kube-system/secrets')).toBe(403);
    expect(await status(`/api/v1/namespaces/${namespace}/configmaps`)).toBe(200);
  });

  it('a signed push is rendered, applied with the syncer\'s token, announced in Slack and audited', async () => {
    const commit = await repo.commit({
      'apps/settings/settings.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: topology-settings}', 'data: {mode: five-processes}', ''].join('\n'),
    }, 'Add the topology settings');
    const result = await waitForSync(client, app, commit.sha, 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${running.map((process) => `--- ${process.name}\n${tail(process.logFile)}`).join('\n')}`);
    });
    expect(result.phase).toBe('Succeeded');
    const configMap = await core.readNamespacedConfigMap({ name: 'topology-settings', namespace });
    expect(configMap.data).toEqual({ mode: 'five-processes' });
    expect(configMap.metadata?.labels?.['tidewater.dev/app']).toBe(app);
    expect(configMap.metadata?.managedFields?.some((field) => field.manager === 'tidewater' && field.operation === 'Apply')).toBe(true);

    const messages = await waitFor('a Slack message for the sync', () => (slack.to(slackPath).length > 0 ? slack.to(slackPath) : undefined), { timeoutMs: 60_000 });
    expect(messages[0].body).toContain(app);
    const audited = await waitFor('the auditor to record the sync', async () => {
      const response = await fetch(`${auditorUrl}/audit/events?app=${app}`);
      const body = await response.text();
      return body.includes(eventTypes.syncSucceeded) ? body : undefined;
    }, { timeoutMs: 60_000 });
    expect(audited).toContain(commit.sha);
  }, 240_000);

  it('heals drift in the live object through the syncer\'s watch (self-heal)', async () => {
    const before = (await eventsOf(client, eventTypes.syncSucceeded, { app })).length;
    await core.patchNamespacedConfigMap({
      name: 'topology-settings', namespace, body: [{ op: 'replace', path: '/data/mode', value: 'edited-by-hand' }],
    });
    await waitFor('the syncer to undo the manual edit', async () => {
      const live = await core.readNamespacedConfigMap({ name: 'topology-settings', namespace });
      return live.data?.mode === 'five-processes';
    }, { timeoutMs: 90_000, intervalMs: 200 }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- syncer\n${tail(join(work.dir, 'syncer.log'))}`);
    });
    expect((await eventsOf(client, eventTypes.syncSucceeded, { app })).length).toBeGreaterThanOrEqual(before);
  }, 120_000);
});
