import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createImageProducer, createRedisConnection, queueNames } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { createPromoter, type Promoter } from '../../services/promoter/src/promoter.ts';
import {
  giteaAvailable, giteaPaths, makeWorkDir, startGitea, startRedis, startRegistry, waitFor,
  type GiteaRepo, type GiteaServer, type RedisInstance, type TestRegistry,
} from '../harness/src/index.ts';

// Pull-request mode against a real Gitea (built from its Go module by `scripts/setup`): the promoter pushes
// the write branch to Gitea over HTTP with the admin's token and opens / updates the pull request through Gitea's API.
const available = giteaAvailable();
if (!available) {
  console.warn(`image-pr-gitea: skipped, Gitea is not built (expected ${giteaPaths().binary}); run scripts/setup without --no-gitea`);
}
const tokenEnv = 'TIDEWATER_SECRET_GITEA_REAL_PR';

describe.skipIf(!available)('image write-back in pull-request mode against a real Gitea', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let registry: TestRegistry;
  let gitea: GiteaServer;
  let repo: GiteaRepo;
  let promoter: Promoter;
  let config: TidewaterConfig;
  const work = makeWorkDir('image-pr-gitea');
  const app = 'gitea-shop';

  const kustomization = (image: string, tag: string) => [
    'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources: [deployment.yaml]', 'images:', `  - name: ${image}`, `    newTag: ${tag}`, '',
  ].join('\n');

  beforeAll(async () => {
    [redisServer, registry, gitea] = await Promise.all([startRedis(), startRegistry(), startGitea()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    const image = `${registry.host}/org/shop`;
    repo = await gitea.createRepo('shop', { 'deploy/kustomization.yaml': kustomization(image, '1.0.0'), 'deploy/deployment.yaml': 'kind: Deployment\n' });
    const built = buildConfig([{
      file: 'apps.yaml',
      text: [
        'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${app}}`, 'spec:', '  project: default',
        `  source: {repoURL: "${repo.cloneUrl}", targetRevision: main, path: deploy}`,
        `  destination: {server: "https://kubernetes.default.svc", namespace: ${app}}`, '---',
        'apiVersion: tidewater.dev/v1alpha1', 'kind: ImagePolicy', `metadata: {name: ${app}}`, 'spec:', `  application: ${app}`, `  image: "${image}"`,
        '  writeBack:', '    target: kustomization',
        `    pullRequest: {provider: gitea, apiURL: "${gitea.apiUrl}", tokenRef: {env: ${tokenEnv}}}`,
      ].join('\n'),
    }]);
    expect(built.errors.map((error) => error.message)).toEqual([]);
    expect(built.config.warnings).toEqual([]);
    config = built.config;
    const credentials = { username: gitea.admin.username, password: gitea.admin.token };
    promoter = createPromoter({
      config: () => config, redis, logger: createLogger('test', { level: 'silent' }), cacheDir: join(work.dir, 'cache'),
      events: createEventPublisher({ redis, source: '/tidewater/promoter' }), concurrency: 1, pollIntervalMs: 0,
      git: { credentials: (url) => (url.startsWith(gitea.url) ? credentials : undefined) },
      env: { [tokenEnv]: gitea.admin.token },
    });
  }, 180_000);
  afterAll(async () => {
    await promoter?.close();
    redis?.disconnect();
    await Promise.all([registry?.stop(), redisServer?.stop(), gitea?.stop()]);
    work.remove();
  });

  const runJob = async (tag: string) => {
    const pushed = await registry.pushImage('org/shop', tag);
    const producerConnection = createRedisConnection(redisServer.url, 'producer');
    await waitFor('producer ready', async () => producerConnection.status === 'ready');
    const producer = createImageProducer({ connection: producerConnection });
    const queueEvents = new QueueEvents(queueNames.image, { connection: { url: redisServer.url } });
    await queueEvents.waitUntilReady();
    const { jobId } = await producer.requestImageUpdate({
      policy: `tidewater:${app}`, app, image: `${registry.host}/org/shop`, tag, digest: pushed.digest,
      source: { provider: 'test', deliveryId: `d-gitea-${tag}`, receivedAt: new Date().toISOString() }, trace: {},
    });
    try {
      return await new Promise<Record<string, unknown>>((resolve) => {
        queueEvents.on('completed', ({ jobId: id, returnvalue }) => (id === jobId ? resolve(returnvalue as unknown as Record<string, unknown>) : undefined));
        queueEvents.on('failed', ({ jobId: id, failedReason }) => (id === jobId ? resolve({ failed: failedReason }) : undefined));
      });
    } finally {
      await Promise.all([queueEvents.close(), producer.close()]);
      producerConnection.disconnect();
    }
  };

  it('a push opens exactly one pull request on Gitea; a second push updates the same one', async () => {
    const head = `image-updater-${app}`;
    const mainBefore = await gitea.branchHead(repo.fullName, 'main');
    expect(mainBefore).toBeDefined();

    const first = await runJob('1.1.0');
    expect(first).toMatchObject({ outcome: 'updated', newTag: '1.1.0', pullRequest: { action: 'opened' } });
    const opened = await gitea.pullRequests(repo.fullName);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ state: 'open', head: { ref: head }, base: { ref: 'main' } });
    expect(opened[0].title).toContain(`${registry.host}/org/shop:1.1.0`);
    expect((first.pullRequest as { number: number }).number).toBe(opened[0].number);
    expect(opened[0].head.sha).toBe(first.commit);
    expect(await gitea.fileAt(repo.fullName, head, 'deploy/kustomization.yaml')).toContain('newTag: 1.1.0');
    // Nothing is pushed to the branch the Application follows.
    expect(await gitea.branchHead(repo.fullName, 'main')).toBe(mainBefore);

    const second = await runJob('1.2.0');
    expect(second).toMatchObject({ outcome: 'updated', newTag: '1.2.0', oldTag: '1.1.0', pullRequest: { action: 'updated', number: opened[0].number } });
    const after = await gitea.pullRequests(repo.fullName, 'all');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ number: opened[0].number, state: 'open', head: { ref: head, sha: second.commit } });
    expect(after[0].title).toContain(':1.2.0');
    expect(await gitea.fileAt(repo.fullName, head, 'deploy/kustomization.yaml')).toContain('newTag: 1.2.0');
    expect(await gitea.branchHead(repo.fullName, 'main')).toBe(mainBefore);

    // The events name Gitea's pull request, and never the token.
    const events = await readAllEvents(redis);
    const updated = events.filter((event) => event.type === eventTypes.imageUpdated && event.data.app === app);
    expect(updated.map((event) => [event.data.newTag, event.data.branch, event.data.pullRequestNumber])).toEqual([
      ['1.1.0', head, opened[0].number], ['1.2.0', head, opened[0].number],
    ]);
    expect(String(updated[0].data.pullRequestUrl)).toBe(opened[0].html_url);
    expect(JSON.stringify(events)).not.toContain(gitea.admin.token);
  });
});
