import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createImageProducer, createRedisConnection, queueNames } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import {
  makeWorkDir, startGitServer, startRedis, startRegistry, waitFor, type GitRepo, type GitServer, type RedisInstance, type TestRegistry,
} from '../../../test/harness/src/index.ts';
import { createPromoter, type Promoter } from './promoter.ts';

describe('the promoter with Flux image automation (setter markers)', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let git: GitServer;
  let repo: GitRepo;
  let registry: TestRegistry;
  let promoter: Promoter;
  let config: TidewaterConfig;
  const work = makeWorkDir('promoter-flux');

  beforeAll(async () => {
    [redisServer, git, registry] = await Promise.all([startRedis(), startGitServer(), startRegistry()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    repo = git.createRepo('acme/fleet');
    await repo.commit({
      'clusters/prod/podinfo.yaml': [
        'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: podinfo}', 'spec:', '  template:', '    spec:', '      containers:',
        '        - name: podinfo', `          image: ${registry.host}/org/podinfo:5.0.0 # {"$imagepolicy": "flux-system:podinfo"}`, '',
      ].join('\n'),
      'clusters/prod/values.yaml': `podinfo:\n  tag: 5.0.0 # {"$imagepolicy": "flux-system:podinfo:tag"}\n`,
      'clusters/staging/podinfo.yaml': `image: ${registry.host}/org/podinfo:5.0.0 # {"$imagepolicy": "flux-system:other"}\n`,
    }, 'seed');
    const built = buildConfig([{ file: 'flux.yaml', text: [
      'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', 'metadata: {name: fleet, namespace: flux-system}',
      `spec: {url: "${repo.url}", ref: {branch: main}}`, '---',
      'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImageRepository', 'metadata: {name: podinfo, namespace: flux-system}',
      `spec: {image: "${registry.host}/org/podinfo"}`, '---',
      'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImagePolicy', 'metadata: {name: podinfo, namespace: flux-system}',
      'spec: {imageRepositoryRef: {name: podinfo}, policy: {semver: {range: "5.x"}}}', '---',
      'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImageUpdateAutomation', 'metadata: {name: fleet, namespace: flux-system}',
      'spec: {sourceRef: {kind: GitRepository, name: fleet}, git: {checkout: {ref: {branch: main}}}, update: {path: ./clusters/prod, strategy: Setters}}', '',
    ].join('\n') }]);
    expect(built.errors).toEqual([]);
    config = built.config;
    promoter = createPromoter({
      config: () => config, redis, logger: createLogger('test', { level: 'silent' }), cacheDir: join(work.dir, 'cache'),
      events: createEventPublisher({ redis, source: '/tidewater/promoter' }), concurrency: 1, pollIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await promoter?.close();
    redis?.disconnect();
    await Promise.all([git?.stop(), registry?.stop(), redisServer?.stop()]);
    work.remove();
  });

  const run = async (tag: string) => {
    const pushed = await registry.pushImage('org/podinfo', tag);
    return runJob({ policy: 'flux:flux-system/podinfo', app: 'flux-system-podinfo', image: `${registry.host}/org/podinfo`, tag, digest: pushed.digest });
  };
  const runJob = async (job: { policy: string; app: string; image: string; tag: string; digest: string }) => {
    const { tag } = job;
    const producerConnection = createRedisConnection(redisServer.url, 'producer');
    await waitFor('producer ready', async () => producerConnection.status === 'ready');
    const producer = createImageProducer({ connection: producerConnection });
    const queueEvents = new QueueEvents(queueNames.image, { connection: { url: redisServer.url } });
    await queueEvents.waitUntilReady();
    const { jobId } = await producer.requestImageUpdate({
      ...job,
      source: { provider: 'test', deliveryId: `d-${tag}`, receivedAt: new Date().toISOString() }, trace: {},
    });
    const finished = await new Promise<unknown>((resolve, reject) => {
      queueEvents.on('completed', ({ jobId: id, returnvalue }) => (id === jobId ? resolve(returnvalue) : undefined));
      queueEvents.on('failed', ({ jobId: id, failedReason }) => (id === jobId ? reject(new Error(failedReason)) : undefined));
    });
    await Promise.all([queueEvents.close(), producer.close()]);
    producerConnection.disconnect();
    return finished as { outcome: string; commit?: string; reason?: string };
  };
  const show = (path: string) => execFileSync('git', ['--git-dir', repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });

  it('rewrites every marked value under update.path in one commit, and nothing else', async () => {
    const result = await run('5.1.0');
    expect(result).toMatchObject({ outcome: 'updated' });
    expect(show('clusters/prod/podinfo.yaml')).toContain(`image: ${registry.host}/org/podinfo:5.1.0 # {"$imagepolicy": "flux-system:podinfo"}`);
    expect(show('clusters/prod/values.yaml')).toContain('tag: 5.1.0 # {"$imagepolicy": "flux-system:podinfo:tag"}');
    expect(show('clusters/staging/podinfo.yaml')).toContain(':5.0.0');
    expect(repo.head()).toBe(result.commit);
    const updated = (await readAllEvents(redis)).find((event) => event.type === eventTypes.imageUpdated);
    expect(updated?.data).toMatchObject({ policy: 'flux:flux-system/podinfo', oldTag: '5.0.0', newTag: '5.1.0', commit: result.commit });
  });

  it('a tag outside the range commits nothing', async () => {
    const head = repo.head();
    expect(await run('6.0.0')).toMatchObject({ outcome: 'unchanged' });
    expect(repo.head()).toBe(head);
  });

  it('a Tidewater ImagePolicy with minTagAgeSeconds delays the job of a tag built moments ago', async () => {
    const flux = config;
    const withAge = buildConfig([{ file: 'apps.yaml', text: [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata: {name: fleet-prod}', 'spec:', '  project: default',
      `  source: {repoURL: "${repo.url}", targetRevision: main, path: clusters/prod}`,
      '  destination: {server: "https://kubernetes.default.svc", namespace: prod}', '---',
      'apiVersion: tidewater.dev/v1alpha1', 'kind: ImagePolicy', 'metadata: {name: aged}',
      `spec: {application: fleet-prod, image: "${registry.host}/org/aged", minTagAgeSeconds: 3600}`, '',
    ].join('\n') }]);
    expect(withAge.errors).toEqual([]);
    config = withAge.config;
    try {
      const pushed = await registry.pushImage('org/aged', 'v1.0.0');
      const producer = createImageProducer({ connection: redis });
      const { jobId } = await producer.requestImageUpdate({
        policy: 'tidewater:aged', app: 'fleet-prod', image: `${registry.host}/org/aged`, tag: 'v1.0.0', digest: pushed.digest,
        source: { provider: 'test', deliveryId: 'aged', receivedAt: new Date().toISOString() }, trace: {},
      });
      // Delayed, not dropped: the same job runs again once the image is an hour old.
      const queue = new Queue(queueNames.image, { connection: redis });
      const job = await waitFor('the job delayed', async () => {
        const found = await queue.getJob(jobId);
        return found && (await found.getState()) === 'delayed' ? found : undefined;
      }, { timeoutMs: 20_000 });
      expect(job.timestamp + job.delay).toBeGreaterThan(Date.now() + 3_000_000);
      await job.remove();
      await Promise.all([queue.close(), producer.close()]);
    } finally {
      config = flux;
    }
  });

  it('Image Updater annotations with write-back-target helmvalues update the values file at the helm paths', async () => {
    const flux = config;
    const helm = buildConfig([{ file: 'apps.yaml', text: [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: web', '  annotations:',
      `    argocd-image-updater.argoproj.io/image-list: "web=${registry.host}/org/web"`,
      '    argocd-image-updater.argoproj.io/web.helm.image-name: image.repository',
      '    argocd-image-updater.argoproj.io/web.helm.image-tag: image.tag',
      '    argocd-image-updater.argoproj.io/write-back-target: "helmvalues:values-prod.yaml"',
      'spec:', '  project: default', `  source: {repoURL: "${repo.url}", targetRevision: main, path: charts/web}`,
      '  destination: {server: "https://kubernetes.default.svc", namespace: web}', '',
    ].join('\n') }]);
    expect(helm.errors).toEqual([]);
    config = helm.config;
    try {
      await registry.pushImage('org/web', '2.0.0');
      const pushed = await registry.pushImage('org/web', '2.1.0');
      const result = await runJob({ policy: 'argocd:web:web', app: 'web', image: `${registry.host}/org/web`, tag: '2.1.0', digest: pushed.digest });
      expect(result).toMatchObject({ outcome: 'updated', newTag: '2.1.0', file: 'charts/web/values-prod.yaml' });
      expect(show('charts/web/values-prod.yaml')).toBe(`image:\n  repository: ${registry.host}/org/web\n  tag: 2.1.0\n`);
    } finally {
      config = flux;
    }
  });

  it('polling finds a tag pushed by a registry that sent nothing, once', async () => {
    await registry.pushImage('org/podinfo', '5.2.0');
    expect(await promoter.poller.pollOnce()).toEqual({ images: 1, queued: 1 });
    await waitFor('the polled tag committed', async () => show('clusters/prod/values.yaml').includes('tag: 5.2.0 #'), { timeoutMs: 30_000 });
    // The same digest again is not new work.
    expect(await promoter.poller.pollOnce()).toEqual({ images: 1, queued: 0 });
  });
});
