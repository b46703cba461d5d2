import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { createImageProducer, createProducers, queueNames } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { createPromoterGit, type PromoterGitOptions } from './git/promoter-git.ts';
import { processImageJob, type ImageJobResult } from './process-image-job.ts';
import { createRegistryClient, type RegistryClientOptions } from './registry/registry-client.ts';
import { createRegistryPoller, type RegistryPoller } from './poll/registry-poller.ts';

export interface PromoterDeps {
  config: () => TidewaterConfig;
  /** A worker connection (`createRedisConnection(url, 'worker')`). */
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  /** Private clones of the repositories written to. */
  cacheDir: string;
  /** Image jobs in parallel (different repositories; one repository+branch is serialised by its lock). Default 4. */
  concurrency?: number;
  registry?: RegistryClientOptions;
  /** Git write credentials: held by the promoter alone. */
  git?: PromoterGitOptions;
  author?: { name: string; email: string };
  /** Pull-request mode: the forge API's fetch (default global) and where token references are read (default process.env). */
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  /** Poll watched images for registries that send nothing (default 60 s; 0 turns polling off). */
  pollIntervalMs?: number;
}

export interface Promoter {
  worker: Worker;
  poller: RegistryPoller;
  close(): Promise<void>;
}

/** The promoter: image jobs → policy decision → Git write-back. */
export function createPromoter(deps: PromoterDeps): Promoter {
  const registry = createRegistryClient(deps.registry);
  const producers = createProducers({ connection: deps.redis });
  const jobDeps = {
    producers,
    config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, cacheDir: deps.cacheDir,
    registry, git: createPromoterGit(deps.git), ...(deps.author ? { author: deps.author } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}),
  };
  const producer = createImageProducer({ connection: deps.redis });
  const poller = createRegistryPoller({
    config: deps.config, registry, producer, logger: deps.logger, ...(deps.pollIntervalMs !== undefined ? { intervalMs: deps.pollIntervalMs } : {}),
  });
  const worker = new Worker<unknown, ImageJobResult>(queueNames.image, (job, token, signal) => processImageJob(jobDeps, job, token, signal), {
    connection: deps.redis,
    concurrency: deps.concurrency ?? 4,
  });
  worker.on('error', (error) => deps.logger.warn({ reason: error.message }, 'image worker error'));
  return {
    worker,
    poller,
    async close() {
      poller.stop();
      await worker.close();
      await producer.close();
      await producers.close();
    },
  };
}
