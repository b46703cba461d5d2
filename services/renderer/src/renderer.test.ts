import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ArgoApplication, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createProducers, createRedisConnection, generateBundleSigningKey, jobIds, queueNames, redisKeys, type Producers } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import {
  makeWorkDir, startGitServer, startRedis, toolPath, waitFor,
  type GitRepo, type GitServer, type RedisInstance,
} from '../../../test/harness/src/index.ts';
import { createRenderer, type Renderer } from './renderer.ts';

const application = (name: string, repoURL: string, path: string) => ArgoApplication.parse({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
  spec: { project: 'default', source: { repoURL, path, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'team' } },
});

describe('createRenderer (BullMQ worker)', () => {
  let redisServer: RedisInstance;
  let gitServer: GitServer;
  let repo: GitRepo;
  let workerRedis: Redis;
  let producerRedis: Redis;
  let producers: Producers;
  let renderer: Renderer;
  let syncQueue: Queue;
  let renderQueue: Queue;
  const work = makeWorkDir('renderer-worker');

  beforeAll(async () => {
    [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
    repo = gitServer.createRepo('team/deploy');
    const config: TidewaterConfig = {
      applications: [application('api', repo.url, 'apps/api'), application('broken', repo.url, 'apps/broken')],
      projects: [], repositories: [], clusters: [], otherDocuments: [], warnings: [],
    };
    workerRedis = createRedisConnection(redisServer.url, 'worker');
    producerRedis = createRedisConnection(redisServer.url, 'producer', { lazyConnect: true });
    await producerRedis.connect();
    producers = createProducers({ connection: producerRedis });
    renderer = createRenderer({
      config: () => config,
      redis: workerRedis,
      producers,
      bundleSigningKey: generateBundleSigningKey(),
      events: createEventPublisher({ redis: producerRedis, source: '/tidewater/renderer' }),
      logger: createLogger('renderer-test', { level: 'silent' }),
      cacheDir: work.dir,
      tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
    });
    syncQueue = new Queue(queueNames.sync, { connection: producerRedis });
    renderQueue = new Queue(queueNames.render, { connection: producerRedis });
  });

  afterAll(async () => {
    await renderer?.close();
    await Promise.all([syncQueue?.close(), renderQueue?.close(), producers?.close()]);
    workerRedis?.disconnect();
    producerRedis?.disconnect();
    await Promise.all([redisServer?.stop(), gitServer?.stop()]);
    work.remove();
  });

  it('turns a requested render into a sync job for the same app and commit', async () => {
    const { sha } = await repo.commit({
      'apps/api/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports: [{port: 80}]\n',
    }, 'add api');
    const { jobId } = await producers.requestRender({
      app: 'api', repoURL: repo.url, revision: sha, targetRevision: 'main', trigger: { kind: 'webhook', deliveryId: 'd-1' }, trace: {},
    });
    expect(jobId).toBe(jobIds.render('api', sha));

    const syncJob = await waitFor('sync job', () => syncQueue.getJob(`sync:api:${sha}`));
    expect(syncJob.data).toMatchObject({ app: 'api', revision: sha, trigger: { kind: 'webhook', deliveryId: 'd-1' } });
    const bundle = JSON.parse((await producerRedis.get(syncJob.data.bundleKey))!);
    expect(bundle.objects).toEqual([expect.objectContaining({ kind: 'Service', metadata: { name: 'api' } })]);
    expect(await producerRedis.smembers(redisKeys.sourcePaths('api'))).toEqual(['apps/api']);

    const renderJob = await waitFor('render job completed', async () => {
      // State first, then the job: a job read before it finished lacks its result.
      return (await renderQueue.getJobState(jobId)) === 'completed' ? renderQueue.getJob(jobId) : undefined;
    });
    expect(renderJob.returnvalue).toEqual({ bundleKey: syncJob.data.bundleKey, objects: 1, cached: false });
  });

  it('leaves a permanently failing job in the failed set with its reason, without retries', async () => {
    const { sha } = await repo.commit({ 'apps/broken/x.yaml': 'kind: ConfigMap\nmetadata:\n  name: x\n' }, 'broken');
    const { jobId } = await producers.requestRender({
      app: 'broken', repoURL: repo.url, revision: sha, targetRevision: 'main', trigger: { kind: 'manual', actor: 'bob' }, trace: {},
    });
    const failed = await waitFor('render job failed', async () => {
      // State first, then the job: a job read before it finished lacks its result.
      return (await renderQueue.getJobState(jobId)) === 'failed' ? renderQueue.getJob(jobId) : undefined;
    });
    expect(failed.failedReason).toBe(`repository ${repo.url} commit ${sha}: apps/broken/x.yaml document 1: missing apiVersion`);
    expect(failed.attemptsMade).toBe(1);
    const failedEvents = (await readAllEvents(producerRedis)).filter((event) => event.type === eventTypes.renderFailed);
    expect(failedEvents.map((event) => event.data)).toEqual([expect.objectContaining({ app: 'broken', revision: sha, actor: 'bob', attempt: 1 })]);
    expect(await syncQueue.getJob(`sync:broken:${sha}`)).toBeUndefined();
  });
});
