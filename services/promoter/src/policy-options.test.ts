import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createImageProducer, createRedisConnection, queueNames } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import {
  makeWorkDir, startGitServer, startRedis, startRegistry, waitFor, type GitRepo, type GitServer, type RedisInstance, type TestRegistry,
} from '../../../test/harness/src/index.ts';
import { createPromoter, type Promoter } from './promoter.ts';

/**
 * Image Updater's `platforms` and templated `git-branch`, and Flux's `filterTags.extract`, through the real path:
 * a real docker-registry holding multi-platform indexes, a real git server, Redis and the promoter's image queue.
 */
describe('image policy options through the real registry and git', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let git: GitServer;
  let repo: GitRepo;
  let registry: TestRegistry;
  let promoter: Promoter;
  let config: TidewaterConfig;
  let warnings: string[];
  const work = makeWorkDir('promoter-options');

  const application = (name: string, path: string, annotations: Record<string, string>) => [
    'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', `  name: ${name}`, '  annotations:',
    ...Object.entries(annotations).map(([key, value]) => `    argocd-image-updater.argoproj.io/${key}: ${JSON.stringify(value)}`),
    'spec:', '  project: default', `  source: {repoURL: "${repo.url}", targetRevision: main, path: ${path}}`,
    `  destination: {server: "https://kubernetes.default.svc", namespace: ${name}}`, '---',
  ].join('\n');
  const kustomization = (image: string, tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: ${image}\n    newTag: ${tag}\n`;

  beforeAll(async () => {
    [redisServer, git, registry] = await Promise.all([startRedis(), startGitServer(), startRegistry()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    repo = git.createRepo('acme/options');
    await repo.commit({
      'apps/multi/kustomization.yaml': kustomization(`${registry.host}/team/multi`, '1.0.0'),
      'apps/branchy/kustomization.yaml': kustomization(`${registry.host}/team/branchy`, '2.0.0'),
      'clusters/prod/api.yaml': `image: ${registry.host}/team/api:main-aaaaaa-100 # {"$imagepolicy": "flux-system:api"}\n`,
    }, 'seed');
    const built = buildConfig([{ file: 'apps.yaml', text: [
      application('multi', 'apps/multi', {
        'image-list': `multi=${registry.host}/team/multi`, 'write-back-target': 'kustomization',
        'multi.platforms': 'linux/amd64,linux/arm64',
      }),
      application('branchy', 'apps/branchy', {
        'image-list': `app=${registry.host}/team/branchy`, 'write-back-target': 'kustomization',
        'git-branch': 'main:image-updater-{{.AppName}}{{range .Images}}-{{.Alias}}-{{.NewTag}}{{end}}-{{.SHA256}}',
      }),
      'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', 'metadata: {name: fleet, namespace: flux-system}',
      `spec: {url: "${repo.url}", ref: {branch: main}}`, '---',
      'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImageRepository', 'metadata: {name: api, namespace: flux-system}',
      `spec: {image: "${registry.host}/team/api"}`, '---',
      'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImagePolicy', 'metadata: {name: api, namespace: flux-system}',
      'spec:', '  imageRepositoryRef: {name: api}',
      '  filterTags: {pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)$", extract: "$ts"}',
      '  policy: {numerical: {order: asc}}', '---',
      'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImageUpdateAutomation', 'metadata: {name: fleet, namespace: flux-system}',
      'spec: {sourceRef: {kind: GitRepository, name: fleet}, git: {checkout: {ref: {branch: main}}}, update: {path: ./clusters, strategy: Setters}}', '',
    ].join('\n') }]);
    expect(built.errors).toEqual([]);
    config = built.config;
    warnings = built.warnings.map((warning) => `${warning.field ?? ''} ${warning.message}`);
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

  let delivery = 0;
  const runJob = async (job: { policy: string; app: string; image: string; tag: string; digest: string }) => {
    const producerConnection = createRedisConnection(redisServer.url, 'producer');
    await waitFor('producer ready', async () => producerConnection.status === 'ready');
    const producer = createImageProducer({ connection: producerConnection });
    const queueEvents = new QueueEvents(queueNames.image, { connection: { url: redisServer.url } });
    await queueEvents.waitUntilReady();
    delivery += 1;
    const { jobId } = await producer.requestImageUpdate({
      ...job, source: { provider: 'test', deliveryId: `d-${delivery}`, receivedAt: new Date().toISOString() }, trace: {},
    });
    const finished = await new Promise<unknown>((resolve, reject) => {
      queueEvents.on('completed', ({ jobId: id, returnvalue }) => (id === jobId ? resolve(returnvalue) : undefined));
      queueEvents.on('failed', ({ jobId: id, failedReason }) => (id === jobId ? reject(new Error(failedReason)) : undefined));
    });
    await Promise.all([queueEvents.close(), producer.close()]);
    producerConnection.disconnect();
    return finished as { outcome: string; commit?: string; reason?: string };
  };
  const show = (ref: string, path: string) => execFileSync('git', ['--git-dir', repo.gitDir, 'show', `${ref}:${path}`], { encoding: 'utf8' });
  const branches = () => execFileSync('git', ['--git-dir', repo.gitDir, 'for-each-ref', '--format=%(refname:short)', 'refs/heads'], { encoding: 'utf8' }).trim().split('\n');

  it('loads platforms, the templated branch, extract and order without a warning', () => {
    expect(warnings.filter((warning) => /platforms|git-branch|extract|order/.test(warning))).toEqual([]);
    expect(config.imagePolicies?.find((policy) => policy.id === 'argocd:multi:multi')).toMatchObject({ platforms: ['linux/amd64', 'linux/arm64'] });
    expect(config.imagePolicies?.find((policy) => policy.id === 'flux:flux-system/api')).toMatchObject({ extract: '$ts', allowTags: '^main-[a-f0-9]+-(?<ts>[0-9]+)$' });
  });

  it('platforms: a tag qualifies only when its manifest list offers every listed platform', async () => {
    const image = `${registry.host}/team/multi`;
    const head = repo.head();
    // An OCI index without arm64, and a single-platform image: both skipped, naming what is missing.
    const amd64Only = await registry.pushIndex('team/multi', '1.1.0', ['linux/amd64', 'linux/arm/v7']);
    expect(await runJob({ policy: 'argocd:multi:multi', app: 'multi', image, tag: '1.1.0', digest: amd64Only.digest }))
      .toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/lacks platform linux\/arm64 \(it offers linux\/amd64, linux\/arm\/v7\)/) });
    const single = await registry.pushImage('team/multi', '1.2.0');
    expect(await runJob({ policy: 'argocd:multi:multi', app: 'multi', image, tag: '1.2.0', digest: single.digest }))
      .toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/lacks platform linux\/arm64/) });
    expect(repo.head()).toBe(head);
    // A Docker manifest list with both (arm64 with a variant still offers linux/arm64): committed.
    const both = await registry.pushIndex('team/multi', '1.3.0', ['linux/amd64', 'linux/arm64/v8'], { format: 'docker' });
    const result = await runJob({ policy: 'argocd:multi:multi', app: 'multi', image, tag: '1.3.0', digest: both.digest });
    expect(result).toMatchObject({ outcome: 'updated' });
    expect(show('main', 'apps/multi/kustomization.yaml')).toContain('newTag: 1.3.0');
  });

  it('platforms on the poll path: a newer tag built for too few platforms does not hide an older one that qualifies', async () => {
    await registry.pushIndex('team/multi', '1.6.0', ['linux/amd64', 'linux/arm64']);
    await registry.pushIndex('team/multi', '1.7.0', ['linux/amd64']);
    const polled = await promoter.poller.pollOnce();
    expect(polled.queued).toBeGreaterThanOrEqual(1);
    await waitFor('1.6.0 committed by the poll', async () => show('main', 'apps/multi/kustomization.yaml').includes('newTag: 1.6.0'), { timeoutMs: 30_000 });
    // One job for this policy, and it was 1.6.0's: 1.7.0 never reaches Git.
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'log', '-p', 'main', '--', 'apps/multi/kustomization.yaml'], { encoding: 'utf8' })).not.toContain('1.7.0');
  });

  it('filterTags.extract: tags are ordered by the extracted timestamp, and the whole tag is written', async () => {
    const image = `${registry.host}/team/api`;
    const head = repo.head();
    // Alphabetically later, but an older timestamp: no change.
    const older = await registry.pushImage('team/api', 'main-ffffff-090');
    expect(await runJob({ policy: 'flux:flux-system/api', app: 'flux-system-api', image, tag: 'main-ffffff-090', digest: older.digest }))
      .toMatchObject({ outcome: 'unchanged' });
    expect(repo.head()).toBe(head);
    const newer = await registry.pushImage('team/api', 'main-000000-200');
    expect(await runJob({ policy: 'flux:flux-system/api', app: 'flux-system-api', image, tag: 'main-000000-200', digest: newer.digest }))
      .toMatchObject({ outcome: 'updated' });
    expect(show('main', 'clusters/prod/api.yaml')).toBe(`image: ${image}:main-000000-200 # {"$imagepolicy": "flux-system:api"}\n`);
  });

  it('a templated git-branch pushes each change list to its own branch cut from the base, leaving the base alone', async () => {
    const image = `${registry.host}/team/branchy`;
    const mainHead = repo.head();
    // Image Updater hashes `<name>-<old>-<new>,` with the name without the registry host.
    const sha = (oldTag: string, newTag: string) => createHash('sha256').update(`team/branchy-${oldTag}-${newTag},`).digest('hex');
    const first = await registry.pushImage('team/branchy', '2.1.0');
    const result = await runJob({ policy: 'argocd:branchy:app', app: 'branchy', image, tag: '2.1.0', digest: first.digest });
    expect(result).toMatchObject({ outcome: 'updated' });
    const firstBranch = `image-updater-branchy-app-2.1.0-${sha('2.0.0', '2.1.0')}`;
    expect(branches()).toContain(firstBranch);
    expect(show(firstBranch, 'apps/branchy/kustomization.yaml')).toContain('newTag: 2.1.0');
    expect(show('main', 'apps/branchy/kustomization.yaml')).toContain('newTag: 2.0.0');
    expect(repo.head()).toBe(mainHead);
    // The same change again: its branch already holds it, nothing is pushed.
    expect(await runJob({ policy: 'argocd:branchy:app', app: 'branchy', image, tag: '2.1.0', digest: first.digest })).toMatchObject({ outcome: 'unchanged' });
    // A later tag is a new change list from the base (2.0.0 → 2.2.0): a second branch, no revert pin.
    const second = await registry.pushImage('team/branchy', '2.2.0');
    expect(await runJob({ policy: 'argocd:branchy:app', app: 'branchy', image, tag: '2.2.0', digest: second.digest })).toMatchObject({ outcome: 'updated' });
    expect(branches()).toContain(`image-updater-branchy-app-2.2.0-${sha('2.0.0', '2.2.0')}`);
  });
});
