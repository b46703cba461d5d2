import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { generateBundleSigningKey, createProducers, createRedisConnection, jobIds, queueNames, type Producers, type RenderJob } from '@tidewater/queues';
import { createRenderer, type Renderer } from '@tidewater/renderer';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startRedis, toolPath, waitFor, type RedisInstance } from '../../harness/src/index.ts';

/** A real render worker (BullMQ on a real Redis, real git, helm and kustomize) fed through the real render queue. */
export interface RendererUnderAttack {
  redisServer: RedisInstance;
  redis: Redis;
  producers: Producers;
  config(): TidewaterConfig;
  /** Writes the configuration documents (replacing earlier ones of that file) and reloads them. */
  writeConfig(file: string, text: string): Promise<void>;
  /** Queues a render of `app` at `revision` as the gateway would. */
  requestRender(app: string, revision: string, overrides?: Partial<RenderJob>): Promise<string>;
  /** Waits until the render job has finished; returns its state, attempts and failure reason or result. */
  settled(app: string, revision: string): Promise<{ state: string; attemptsMade: number; failedReason?: string; result?: unknown }>;
  /** renderFailed events of `app`. */
  failures(app: string): Promise<string[]>;
  /** Ids of every sync job queued. */
  syncJobIds(): Promise<string[]>;
  cacheDir: string;
  stop(): Promise<void>;
}

export async function startRendererUnderAttack(): Promise<RendererUnderAttack> {
  const work = makeWorkDir('renderer-attack');
  const redisServer = await startRedis();
  const redis = createRedisConnection(redisServer.url, 'worker');
  const producerRedis = createRedisConnection(redisServer.url, 'producer', { lazyConnect: true });
  await producerRedis.connect();
  const producers = createProducers({ connection: producerRedis });
  const configDir = join(work.dir, 'config');
  mkdirSync(configDir);
  let config = await loadConfigDir(configDir);
  const cacheDir = join(work.dir, 'cache');
  const renderer: Renderer = createRenderer({
    config: () => config, redis, producers,
    events: createEventPublisher({ redis: producerRedis, source: '/tidewater/renderer' }),
    logger: createLogger('renderer-attack', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'silent' }),
    cacheDir, tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
    bundleSigningKey: generateBundleSigningKey(),
  });
  const renderQueue = new Queue(queueNames.render, { connection: producerRedis });
  const syncQueue = new Queue(queueNames.sync, { connection: producerRedis });

  return {
    redisServer, redis, producers, cacheDir,
    config: () => config,
    async writeConfig(file, text) {
      writeFileSync(join(configDir, file), text);
      config = await loadConfigDir(configDir);
      if (config.warnings.length) throw new Error(`configuration warnings: ${config.warnings.join('; ')}`);
    },
    async requestRender(app, revision, overrides = {}) {
      const application = config.applications.find((candidate) => candidate.metadata.name === app);
      const { jobId } = await producers.requestRender({
        app, revision, repoURL: application?.spec.source.repoURL ?? 'git://127.0.0.1:1/none.git',
        targetRevision: application?.spec.source.targetRevision ?? 'main', trigger: { kind: 'webhook', actor: 'attacker' }, trace: {},
        ...overrides,
      });
      return jobId;
    },
    async settled(app, revision) {
      return waitFor(`render of ${app} to settle`, async () => {
        // State first, then the job: a job read before it finished lacks its result and attempts.
        const state = await renderQueue.getJobState(jobIds.render(app, revision));
        if (state !== 'completed' && state !== 'failed') return undefined;
        const job = (await renderQueue.getJob(jobIds.render(app, revision)))!;
        return { state, attemptsMade: job.attemptsMade, failedReason: job.failedReason, result: job.returnvalue as unknown };
      }, { timeoutMs: 60_000, intervalMs: 50 });
    },
    async failures(app) {
      return (await readAllEvents(redis)).filter((event) => event.type === eventTypes.renderFailed && event.data.app === app)
        .map((event) => String(event.data.reason));
    },
    async syncJobIds() {
      const jobs = await syncQueue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
      return jobs.map((job) => job.id ?? '');
    },
    async stop() {
      await renderer.close();
      await Promise.all([renderQueue.close(), syncQueue.close()]);
      await producers.close();
      redis.disconnect();
      producerRedis.disconnect();
      await redisServer.stop();
      work.remove();
    },
  };
}
