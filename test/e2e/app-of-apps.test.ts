import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { createLiveConfig, loadConfigSource, type LiveConfig, type TidewaterConfig } from '@tidewater/config';
import { redisKeys, subscribeConfigChanges } from '@tidewater/queues';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { createLogger } from '@tidewater/telemetry';
import {
  makeWorkDir, startCluster, startGitServer, startRedis, toolPath, waitFor,
  type GitRepo, type GitServer, type RedisInstance, type TestCluster,
} from '../harness/src/index.ts';
import { applicationYaml, configMapYaml } from './sync-modes-environment.ts';

const finalizer = 'resources-finalizer.argocd.argoproj.io';

/** An Application, optionally carrying Argo CD's cascade-delete finalizer. */
const application = (name: string, repoURL: string, cascade: boolean) => {
  const text = applicationYaml(name, repoURL, { namespace: name, automated: true });
  return cascade ? text.replace(`metadata: {name: ${name}}`, `metadata: {name: ${name}, finalizers: [${finalizer}]}`) : text;
};

/**
 * A list ApplicationSet (no finalizer in its template: Argo CD adds the cascade one unless preserveResourcesOnDeletion).
 * An element is an Application name, or a name and the directory of apps/ it takes its objects from.
 */
const listSet = (name: string, repoURL: string, elements: Array<string | [string, string]>, syncPolicy = '') => [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: ApplicationSet',
  `metadata: {name: ${name}}`,
  'spec:',
  `  generators: [{list: {elements: [${elements.map((element) => (typeof element === 'string' ? [element, element] : element)).map(([app, dir]) => `{app: ${app}, dir: ${dir}}`).join(', ')}]}}]`,
  ...(syncPolicy ? [`  syncPolicy: ${syncPolicy}`] : []),
  '  template:',
  "    metadata: {name: '{{app}}'}",
  '    spec:',
  '      project: default',
  `      source: {repoURL: '${repoURL}', targetRevision: main, path: 'apps/{{dir}}'}`,
  "      destination: {name: in-cluster, namespace: '{{app}}'}",
  '      syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}',
  '',
].join('\n');

/** A git-directories ApplicationSet (evaluated by the renderer, re-evaluated on a push to the apps repository). */
const gitSet = (repoURL: string) => [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: ApplicationSet',
  'metadata: {name: teams}',
  'spec:',
  '  goTemplate: true',
  `  generators: [{git: {repoURL: '${repoURL}', revision: main, directories: [{path: 'teams/*'}]}}]`,
  '  template:',
  "    metadata: {name: 'team-{{ .path.basename }}'}",
  '    spec:',
  '      project: default',
  `      source: {repoURL: '${repoURL}', targetRevision: main, path: '{{ .path.path }}'}`,
  "      destination: {name: in-cluster, namespace: 'team-{{ .path.basename }}'}",
  '      syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}',
  '',
].join('\n');

const flux = (repoURL: string) => [
  'apiVersion: source.toolkit.fluxcd.io/v1',
  'kind: GitRepository',
  'metadata: {name: apps, namespace: flux-system}',
  `spec: {url: '${repoURL}', ref: {branch: main}}`,
  '---',
  'apiVersion: kustomize.toolkit.fluxcd.io/v1',
  'kind: Kustomization',
  'metadata: {name: flux-web, namespace: flux-system}',
  'spec: {path: ./apps/flux-web, prune: true, targetNamespace: flux-web, sourceRef: {kind: GitRepository, name: apps}}',
  '',
].join('\n');

/**
 * App of apps from Git: Applications, ApplicationSets and Flux documents committed to a `git::` configuration
 * repository take effect on the push that adds them, and a push that removes them deletes the objects of those
 * carrying Argo CD's cascade finalizer (generated Applications by default, Flux Kustomizations with prune).
 */
describe('app of apps from a git:: configuration repository (real control plane)', () => {
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
  const work = makeWorkDir('app-of-apps');
  const secretEnv = `TIDEWATER_SECRET_E2E_APP_OF_APPS_${randomBytes(4).toString('hex').toUpperCase()}`;
  const names = ['keeper', 'cascaded', 'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'flux-web'];
  const adminPassword = randomBytes(12).toString('base64url');
  const teams = ['team-red', 'team-blue'];
  const configMap = (name: string) => core.readNamespacedConfigMap({ name, namespace: name }).then((found) => found.data, () => undefined);

  beforeAll(async () => {
    [redisServer, cluster, git] = await Promise.all([startRedis(), startCluster({ name: 'app-of-apps' }), startGitServer()]);
    client = new Redis(redisServer.url);
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    apps = git.createRepo('team/apps');
    configRepo = git.createRepo('platform/tidewater-config');
    const webhook = { url: '', secret: randomBytes(20).toString('hex') };
    process.env[secretEnv] = webhook.secret;
    await apps.commit({
      ...Object.fromEntries(names.map((name) => [`apps/${name}/settings.yaml`, configMapYaml(name, { from: name })])),
      // Flux's targetNamespace is a kustomize option: the path is a kustomization.
      'apps/flux-web/kustomization.yaml': 'resources: [settings.yaml]\n',
      // zeta's second version (create-update updates it).
      'apps/zeta-v2/settings.yaml': configMapYaml('zeta', { from: 'zeta-v2' }),
      ...Object.fromEntries(teams.map((name) => [`teams/${name.slice('team-'.length)}/settings.yaml`, configMapYaml(name, { from: name })])),
    }, 'Applications');
    await configRepo.commit({
      'tidewater/platform.yaml': [
        ...[['apps', apps.url], ['config', configRepo.url]].flatMap(([name, url]) => [
          'apiVersion: tidewater.dev/v1alpha1', 'kind: Repository', `metadata: {name: ${name}}`, 'spec:', `  url: ${url}`, `  webhookSecretRef: {env: ${secretEnv}}`, '---',
        ]),
        'apiVersion: tidewater.dev/v1alpha1', 'kind: Cluster', 'metadata: {name: in-cluster}', 'spec:',
        `  server: ${cluster.server}`, `  kubeconfigRef: {file: ${cluster.kubeconfigPath}}`, '',
      ].join('\n'),
    }, 'Tidewater platform, no applications yet');

    const source = `git::${configRepo.url}//tidewater?ref=main`;
    const logger = createLogger('e2e', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' });
    config = await loadConfigSource(source, join(work.dir, 'config-checkouts'));
    live = createLiveConfig({ source, initial: config, logger, pollIntervalMs: 0, apply: (next) => { config = next; } });
    changes = subscribeConfigChanges(redisServer.url, () => void live.reload('webhook'));
    tidewater = await startAll({
      redisUrl: redisServer.url, config: () => config, configSource: source, port: 0, apiPort: 0, adminPassword,
      cacheDir: join(work.dir, 'renderer-cache'), auditDir: join(work.dir, 'audit'), auditPort: 0,
      tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') }, logger,
    });
    webhook.url = `${tidewater.gatewayUrl}/webhooks/git/github`;
    apps.setWebhook(webhook);
    configRepo.setWebhook(webhook);
  }, 180_000);
  afterAll(async () => {
    live?.close();
    await changes?.close();
    client?.disconnect();
    await tidewater?.close();
    await Promise.all([cluster?.stop(), git?.stop(), redisServer?.stop()]);
    delete process.env[secretEnv];
    work.remove();
  });

  it('applies Applications, ApplicationSets and Flux documents on the push that adds them', async () => {
    await configRepo.commit({
      'tidewater/keeper.yaml': application('keeper', apps.url, false),
      'tidewater/cascaded.yaml': application('cascaded', apps.url, true),
      'tidewater/fleet.yaml': listSet('fleet', apps.url, ['alpha', 'beta']),
      'tidewater/preserved.yaml': listSet('preserved', apps.url, ['gamma'], '{preserveResourcesOnDeletion: true}'),
      'tidewater/grow.yaml': listSet('grow', apps.url, ['delta', 'epsilon'], '{applicationsSync: create-only}'),
      'tidewater/tune.yaml': listSet('tune', apps.url, ['zeta', 'eta'], '{applicationsSync: create-update}'),
      'tidewater/flux.yaml': flux(apps.url),
      'tidewater/teams.yaml': gitSet(apps.url),
    }, 'App of apps: add applications, ApplicationSets and a Flux Kustomization');
    for (const name of [...names, ...teams]) {
      await waitFor(`${name} synced`, async () => (await configMap(name))?.from === name, { timeoutMs: 90_000 });
    }
    // The loaded configuration (git generators' sets are merged in by each service, from the renderer's publication).
    expect(config.applications.map((entry) => entry.metadata.name).sort()).toEqual([...names].sort());
    expect(config.applications.find((entry) => entry.metadata.name === 'flux-web')?.metadata.finalizers).toEqual([finalizer]);
  }, 240_000);

  it('a push that removes them deletes the objects of those with the cascade finalizer, and keeps the others', async () => {
    expect(await client.exists(redisKeys.syncStatus('cascaded'))).toBe(1);
    await configRepo.commit({
      'tidewater/keeper.yaml': null,
      'tidewater/cascaded.yaml': null,
      'tidewater/fleet.yaml': listSet('fleet', apps.url, ['alpha']),
      'tidewater/preserved.yaml': null,
      'tidewater/grow.yaml': listSet('grow', apps.url, ['delta'], '{applicationsSync: create-only}'),
      'tidewater/tune.yaml': listSet('tune', apps.url, [['zeta', 'zeta-v2']], '{applicationsSync: create-update}'),
      'tidewater/flux.yaml': null,
    }, 'App of apps: remove them');
    // A directory removed from the apps repository: the git generator stops generating team-blue.
    await apps.commit({ 'teams/blue/settings.yaml': null }, 'team blue leaves');
    for (const name of ['cascaded', 'beta', 'flux-web', 'team-blue']) {
      await waitFor(`${name}'s objects deleted`, async () => (await configMap(name)) === undefined ? true : undefined, { timeoutMs: 90_000 });
    }
    await waitFor('cascaded state cleared', async () => (await client.exists(redisKeys.syncStatus('cascaded'), redisKeys.comparison('cascaded'), 'tidewater:syncer:inventory:cascaded')) === 0 ? true : undefined, { timeoutMs: 30_000 });
    // create-update updates what its generators still produce (zeta now takes apps/zeta-v2).
    await waitFor('zeta updated', async () => ((await configMap('zeta'))?.from === 'zeta-v2' ? true : undefined), { timeoutMs: 90_000 });
    // The generators' output alone; each service's view keeps what the sets' applicationsSync keeps.
    expect(config.applications.map((entry) => entry.metadata.name).sort()).toEqual(['alpha', 'delta', 'zeta']);
    // No finalizer (keeper), preserveResourcesOnDeletion (gamma): the objects stay, the Application goes.
    // Their removal is handled (state cleared) before their objects are looked at.
    for (const name of ['keeper', 'gamma']) {
      await waitFor(`${name} state cleared`, async () => (await client.exists(redisKeys.syncStatus(name))) === 0 ? true : undefined, { timeoutMs: 30_000 });
    }
    for (const name of ['keeper', 'gamma', 'epsilon', 'eta', 'alpha', 'delta', 'team-red']) expect((await configMap(name))?.from).toBe(name);
    // create-only (epsilon) and create-update (eta) never delete: Argo CD keeps the Application, and so does
    // Tidewater, still managed, synced and healthy (the operator API lists it with its status).
    const session = await fetch(`${tidewater.apiUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: adminPassword }) });
    expect(session.status).toBe(200);
    const { token } = await session.json() as { token: string };
    type Listed = { metadata: { name: string }; spec: { source: { path?: string } }; status: { sync: { status: string }; health: { status: string } } };
    const listed = async () => ((await (await fetch(`${tidewater.apiUrl}/api/v1/applications`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: Listed[] }).items;
    await waitFor('epsilon and eta kept, Synced and Healthy', async () => {
      const byName = new Map((await listed()).map((item) => [item.metadata.name, item]));
      return ['epsilon', 'eta'].every((name) => byName.get(name)?.status.sync.status === 'Synced' && byName.get(name)?.status.health.status === 'Healthy') ? byName : undefined;
    }, { timeoutMs: 60_000 });
    const items = await listed();
    expect(items.map((item) => item.metadata.name).sort()).toEqual(['alpha', 'delta', 'epsilon', 'eta', 'team-red', 'zeta']);
    expect(items.find((item) => item.metadata.name === 'zeta')?.spec.source.path).toBe('apps/zeta-v2');
    expect(await client.exists(redisKeys.syncStatus('epsilon'), redisKeys.syncStatus('eta'))).toBe(2);
  }, 180_000);
});
