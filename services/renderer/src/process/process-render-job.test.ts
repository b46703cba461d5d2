import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import { createProducers, createRedisConnection, generateBundleSigningKey, jobIds, queueNames, redisKeys, type KubernetesObject, type Producers, type RenderedBundle, type RenderJob } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import {
  makeWorkDir, repoRoot, startGitServer, startRedis, toolPath, waitFor,
  type GitRepo, type GitServer, type RedisInstance,
} from '../../../../test/harness/src/index.ts';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { mirrorPathFor } from '../git/mirror.ts';
import { processRenderJob, type RenderJobContext } from './process-render-job.ts';
import type { RendererDeps } from './renderer-deps.ts';

const exampleRepo = join(repoRoot, 'examples/gitops-repo');
const placeholderUrl = 'https://git.example.com/tidewater/gitops-repo.git';

/** Test-only Applications, next to the example repository's own. */
function extraApplications(repoURL: string): string {
  const app = (name: string, source: string, namespace = 'tests') => `---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
  project: default
  source:
    repoURL: ${repoURL}
    targetRevision: main
${source.trim().split('\n').map((line) => `    ${line}`).join('\n')}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${namespace}
`;
  return [
    app('web-dev', `path: apps/web/overlays/dev
kustomize:
  namePrefix: tw-
  images:
    - registry.example.com/web=registry.example.com/web:v2.0.0`, 'web-dev'),
    app('podinfo-staging', `path: charts/podinfo-lite
helm:
  valueFiles: [../../environments/staging/values.yaml]
  parameters:
    - name: image.tag
      value: "7.0.0"
      forceString: true`, 'podinfo-staging'),
    app('nested-flat', 'path: apps/nested'),
    app('nested-recurse', 'path: apps/nested\ndirectory:\n  recurse: true\n  exclude: "skip/*"'),
    app('broken-kind', 'path: apps/broken-kind'),
    app('broken-yaml', 'path: apps/broken-yaml'),
    app('counter', 'path: apps/counter'),
    app('web-overlay-as-is', 'path: apps/web/overlays/dev', 'web-dev'),
    app('remote-deps', 'path: charts/with-remote-deps'),
  ].join('') + app('unreachable', 'path: apps/counter').replace(repoURL, 'git://127.0.0.1:1/x.git');
}

const configMap = (name: string, data = 'x: "1"') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  ${data}\n`;

const fixtures: Record<string, string> = {
  'apps/web/base/kustomization.yaml': 'resources: [deployment.yaml, service.yaml, configmap.yaml]\n',
  'apps/web/base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:v1.0.0
`,
  'apps/web/base/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n',
  'apps/web/base/configmap.yaml': configMap('web-config'),
  // `bases` is deprecated: kustomize warns on stderr, which must not end up in the output.
  'apps/web/overlays/dev/kustomization.yaml': 'bases:\n  - ../../base\nnamespace: web-dev\n',
  'apps/nested/top.yaml': configMap('top'),
  'apps/nested/sub/inner.yaml': configMap('inner'),
  'apps/nested/skip/ignored.yaml': configMap('ignored'),
  'apps/broken-kind/deploy.yaml': `${configMap('fine')}---\napiVersion: apps/v1\nmetadata:\n  name: no-kind\n`,
  'apps/broken-yaml/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n',
  'apps/counter/counter.yaml': configMap('counter', 'value: "one"'),
  'charts/with-remote-deps/Chart.yaml': 'apiVersion: v2\nname: with-remote-deps\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 19.0.0\n    repository: https://charts.bitnami.com/bitnami\n',
  'charts/with-remote-deps/templates/cm.yaml': configMap('x'),
};

describe('processRenderJob', () => {
  let redisServer: RedisInstance;
  let gitServer: GitServer;
  let repo: GitRepo;
  let redis: Redis;
  let producerRedis: Redis;
  let producers: Producers;
  let config: TidewaterConfig;
  let deps: RendererDeps;
  let sha: string;
  const work = makeWorkDir('renderer-process');

  beforeAll(async () => {
    [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
    repo = gitServer.createRepo('tidewater/gitops-repo');
    await repo.commitDirectory(exampleRepo, 'example repository');
    sha = (await repo.commit(fixtures, 'test fixtures')).sha;

    // The example's own config documents, pointed at the test server, plus the test-only applications.
    const configDir = join(work.dir, 'config');
    mkdirSync(configDir);
    for (const file of readdirSync(join(exampleRepo, 'tidewater'))) {
      writeFileSync(join(configDir, file), readFileSync(join(exampleRepo, 'tidewater', file), 'utf8').replaceAll(placeholderUrl, repo.url));
    }
    writeFileSync(join(configDir, 'tests.yaml'), extraApplications(repo.url));
    config = await loadConfigDir(configDir);

    redis = createRedisConnection(redisServer.url, 'worker');
    producerRedis = createRedisConnection(redisServer.url, 'producer', { lazyConnect: true });
    await producerRedis.connect();
    producers = createProducers({ connection: producerRedis });
    deps = {
      config: () => config,
      redis,
      producers,
      bundleSigningKey: generateBundleSigningKey(),
      events: createEventPublisher({ redis, source: '/tidewater/renderer' }),
      logger: createLogger('renderer-test', { level: 'silent' }),
      cacheDir: join(work.dir, 'cache'),
      tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
    };
  });

  afterAll(async () => {
    await producers?.close();
    redis?.disconnect();
    producerRedis?.disconnect();
    await Promise.all([redisServer?.stop(), gitServer?.stop()]);
    work.remove();
  });

  const job = (app: string, revision = sha, overrides: Partial<RenderJob> = {}, attempts = { made: 0, max: 5 }): RenderJobContext => ({
    id: `render:${app}:${revision}`,
    data: { app, repoURL: repo.url, revision, targetRevision: 'main', trigger: { kind: 'webhook', actor: 'alice' }, trace: {}, ...overrides },
    attemptsMade: attempts.made,
    opts: { attempts: attempts.max },
  });

  const bundleOf = async (bundleKey: string) => JSON.parse((await redis.get(bundleKey))!) as RenderedBundle;
  const find = (objects: KubernetesObject[], kind: string) => objects.filter((object) => object.kind === kind);
  const eventsFor = async (app: string, type: string): Promise<CloudEvent[]> =>
    (await readAllEvents(redis)).filter((event) => event.type === type && event.data.app === app);
  const render = async (app: string, revision = sha) => {
    const result = await processRenderJob(job(app, revision), deps);
    if (result.superseded) throw new Error('unexpectedly superseded');
    return { ...result, bundle: await bundleOf(result.bundleKey) };
  };

  it('loads the example configuration without warnings', () => {
    expect(config.warnings).toEqual([]);
    expect(config.applications.map((app) => app.metadata.name)).toEqual(expect.arrayContaining(['guestbook-dev', 'guestbook-staging', 'plain-configs', 'podinfo-dev']));
  });

  it('renders a plain directory without recursing by default', async () => {
    const { bundle, objects } = await render('plain-configs');
    expect(bundle.renderer).toBe('directory');
    expect(bundle.objects.map((object) => object.metadata.name).sort()).toEqual(['app-settings', 'feature-flags']);
    expect(objects).toBe(2);
    expect(await redis.smembers(redisKeys.sourcePaths('plain-configs'))).toEqual(['apps/plain-configs']);

    const flat = await render('nested-flat');
    expect(flat.bundle.objects.map((object) => object.metadata.name)).toEqual(['top']);
  });

  it('recurses into sub-directories with directory.recurse and honours exclude', async () => {
    const { bundle } = await render('nested-recurse');
    expect(bundle.objects.map((object) => object.metadata.name)).toEqual(['inner', 'top']);
  });

  it('renders a Kustomize overlay with the Application’s images and namePrefix, recording base and overlay', async () => {
    const { bundle, objects } = await render('web-dev');
    expect(bundle.renderer).toBe('kustomize');
    expect(objects).toBe(3);
    const [deployment] = find(bundle.objects, 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'tw-web', namespace: 'web-dev' });
    expect((deployment.spec as any).template.spec.containers[0].image).toBe('registry.example.com/web:v2.0.0');
    expect(find(bundle.objects, 'ConfigMap')[0].metadata.name).toBe('tw-web-config');
    expect(find(bundle.objects, 'Service')[0].metadata.name).toBe('tw-web');
    expect((await redis.smembers(redisKeys.sourcePaths('web-dev'))).sort()).toEqual(['apps/web/base', 'apps/web/overlays/dev']);
  });

  it('keeps kustomize warnings on stderr out of the rendered objects', async () => {
    // The overlay uses the deprecated `bases` field; kustomize warns about it on stderr.
    const { bundle } = await render('web-overlay-as-is');
    expect(bundle.objects.map((object) => `${object.kind}/${object.metadata.name}`).sort())
      .toEqual(['ConfigMap/web-config', 'Deployment/web', 'Service/web']);
  });

  it('refuses a chart whose dependencies are not vendored, with a clear reason', async () => {
    const failure = processRenderJob(job('remote-deps'), deps);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow('chart charts/with-remote-deps depends on redis (https://charts.bitnami.com/bitnami), which is not vendored');
  });

  it('renders the example guestbook dev overlay', async () => {
    const { bundle } = await render('guestbook-dev');
    const [deployment] = find(bundle.objects, 'Deployment');
    expect(deployment.metadata).toMatchObject({ name: 'dev-guestbook', namespace: 'guestbook-dev' });
    expect((deployment.spec as any).replicas).toBe(1);
    expect((await render('guestbook-staging')).bundle.objects.find((object) => object.kind === 'Deployment')!.spec).toMatchObject({ replicas: 2 });
  });

  it('renders a Helm chart with per-environment value files from outside the chart', async () => {
    const dev = await render('podinfo-dev');
    expect(dev.bundle.renderer).toBe('helm');
    const [devDeployment] = find(dev.bundle.objects, 'Deployment');
    expect(devDeployment.metadata.name).toBe('podinfo');
    expect((devDeployment.spec as any).replicas).toBe(1);

    const staging = await render('podinfo-staging');
    const [deployment] = find(staging.bundle.objects, 'Deployment');
    expect(deployment.metadata.name).toBe('podinfo-staging');
    expect((deployment.spec as any).replicas).toBe(2);
    expect((deployment.spec as any).template.spec.containers[0].image).toBe('registry.example.com/podinfo:7.0.0');
    expect((await redis.smembers(redisKeys.sourcePaths('podinfo-staging'))).sort()).toEqual(['charts/podinfo-lite', 'environments/staging/values.yaml']);
  });

  it('enqueues the sync job and publishes started and succeeded events', async () => {
    // plain-configs was rendered by an earlier test, so this render is a cache hit.
    const { bundleKey } = await render('plain-configs');
    const syncQueue = new Queue(queueNames.sync, { connection: redis });
    try {
      const syncJob = await waitFor('sync job', () => syncQueue.getJob(jobIds.sync('plain-configs', sha)));
      expect(syncJob.data).toMatchObject({ app: 'plain-configs', revision: sha, bundleKey, trigger: { kind: 'webhook', actor: 'alice' } });
    } finally {
      await syncQueue.close();
    }
    const [started] = await eventsFor('plain-configs', eventTypes.renderStarted);
    expect(started.data).toMatchObject({ revision: sha, actor: 'alice', trigger: 'webhook' });
    const succeeded = await eventsFor('plain-configs', eventTypes.renderSucceeded);
    expect(succeeded[0].data).toMatchObject({ revision: sha, objectCount: 2, renderer: 'directory', cached: false });
    expect(succeeded.at(-1)!.data).toMatchObject({ revision: sha, objectCount: 2, renderer: 'directory', cached: true });
    expect(typeof succeeded.at(-1)!.data.durationMs).toBe('number');
  });

  it('fails permanently naming the file and document of an object without kind', async () => {
    const failure = processRenderJob(job('broken-kind'), deps);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow('apps/broken-kind/deploy.yaml document 2: missing kind');
    const [failed] = await eventsFor('broken-kind', eventTypes.renderFailed);
    expect(failed.data).toMatchObject({ revision: sha, attempt: 1, reason: expect.stringContaining('apps/broken-kind/deploy.yaml document 2: missing kind') });
  });

  it('fails permanently naming a file that is not YAML', async () => {
    const failure = processRenderJob(job('broken-yaml'), deps);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(/apps\/broken-yaml\/config.yaml document 1 is not valid YAML: /);
    expect(await eventsFor('broken-yaml', eventTypes.renderFailed)).toHaveLength(1);
  });

  it('fails permanently for an application that is not configured', async () => {
    await expect(processRenderJob(job('ghost'), deps)).rejects.toThrow(new UnrecoverableError('application ghost is not in the configuration'));
  });

  it('skips a revision that a newer one superseded', async () => {
    const newer = (await repo.commit({ 'apps/counter/counter.yaml': configMap('counter', 'value: "newer"') }, 'newer')).sha;
    await redis.set(redisKeys.desiredRevision('counter'), JSON.stringify({ revision: newer, at: new Date().toISOString() }));
    try {
      expect(await processRenderJob(job('counter', sha), deps)).toEqual({ superseded: true });
      expect(await eventsFor('counter', eventTypes.renderStarted)).toEqual([]);
      expect(await eventsFor('counter', eventTypes.renderFailed)).toEqual([]);
    } finally {
      await redis.del(redisKeys.desiredRevision('counter'));
    }
  });

  it('reuses the cached bundle for an identical second job without touching git', async () => {
    const first = await processRenderJob(job('nested-flat'), deps);
    expect(first).toMatchObject({ cached: expect.any(Boolean) });
    // With the mirror gone, only the cache can answer.
    rmSync(mirrorPathFor(deps.cacheDir, repo.url), { recursive: true, force: true });
    const second = await processRenderJob(job('nested-flat'), deps);
    expect(second).toMatchObject({ cached: true, objects: 1 });
    expect(existsSync(mirrorPathFor(deps.cacheDir, repo.url))).toBe(false);
    expect(await redis.ttl((second as { bundleKey: string }).bundleKey)).toBeGreaterThan(6 * 24 * 3_600);
    expect(await redis.smembers(redisKeys.sourcePaths('nested-flat'))).toEqual(['apps/nested']);
  });

  it('renders two commits of one repository concurrently, each with its own contents', async () => {
    const one = (await repo.commit({ 'apps/counter/counter.yaml': configMap('counter', 'value: "first"') }, 'first')).sha;
    const two = (await repo.commit({ 'apps/counter/counter.yaml': configMap('counter', 'value: "second"') }, 'second')).sha;
    rmSync(mirrorPathFor(deps.cacheDir, repo.url), { recursive: true, force: true });
    // Pinned to their SHAs: a job for a commit of a followed branch would advance to the branch's newest commit.
    const pinned = async (revision: string) => {
      const result = await processRenderJob(job('counter', revision, { targetRevision: revision }), deps) as { bundleKey: string };
      return { bundle: await bundleOf(result.bundleKey) };
    };
    const [first, second] = await Promise.all([pinned(one), pinned(two)]);
    expect(first.bundle.objects[0].data).toEqual({ value: 'first' });
    expect(second.bundle.objects[0].data).toEqual({ value: 'second' });
    expect(first.bundle.revision).toBe(one);
    expect(second.bundle.revision).toBe(two);
    expect(readdirSync(join(deps.cacheDir, 'work'))).toEqual([]);
    await redis.del(redisKeys.desiredRevision('counter'));
  });

  it('renders the newest commit of the followed branch when a burst delivers an older one', async () => {
    const older = (await repo.commit({ 'apps/burst/cm.yaml': configMap('burst', 'n: "1"') }, 'burst 1')).sha;
    const newer = (await repo.commit({ 'apps/burst/cm.yaml': configMap('burst', 'n: "2"') }, 'burst 2')).sha;
    await redis.del(redisKeys.desiredRevision('counter'));
    const result = await processRenderJob(job('counter', older), deps) as { bundleKey: string };
    expect((await bundleOf(result.bundleKey)).revision).toBe(newer);
    expect(JSON.parse((await redis.get(redisKeys.desiredRevision('counter')))!).revision).toBe(newer);
    await redis.del(redisKeys.desiredRevision('counter'));
  });

  it('treats an unreachable repository as retryable and reports failure only on the last attempt', async () => {
    const unreachable = 'git://127.0.0.1:1/x.git';
    const early = processRenderJob(job('unreachable', sha, { repoURL: unreachable }, { made: 0, max: 3 }), deps);
    await expect(early).rejects.toBeInstanceOf(ExternalServiceError);
    await expect(early).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect((await eventsFor('unreachable', eventTypes.renderFailed))).toEqual([]);

    const last = processRenderJob(job('unreachable', sha, { repoURL: unreachable }, { made: 2, max: 3 }), deps);
    await expect(last).rejects.toBeInstanceOf(ExternalServiceError);
    const [failed] = await eventsFor('unreachable', eventTypes.renderFailed);
    expect(failed.data).toMatchObject({ attempt: 3, reason: expect.stringContaining('git fetch of git://127.0.0.1:1/x.git failed') });
  });

  it('refuses a job that names another repository than its application, before fetching it', async () => {
    const failure = processRenderJob(job('counter', sha, { repoURL: 'git://127.0.0.1:1/other.git' }), deps);
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(`render job for counter names repository git://127.0.0.1:1/other.git, which is not the application's spec.source.repoURL ${repo.url}`);
  });

  it('fails permanently for a commit the repository does not have', async () => {
    await expect(processRenderJob(job('counter', 'f'.repeat(40)), deps)).rejects.toThrow(UnrecoverableError);
  });
});
