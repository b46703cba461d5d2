import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { createImageProducer, createProducers, ImageJob, queueNames } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { createPromoterGit, type PromoterGitOptions } from './git/promoter-git.ts';
import { processImageJob, type ImageJobResult } from './process-image-job.ts';
import { createRegistryClient, type RegistryClientOptions } from './registry/registry-client.ts';
import { createRegistryPoller, type RegistryPoller } from './poll/registry-poller.ts';
import { createPipelineEngine, type PipelineEngine, type PipelineEngineDeps } from './pipelines/pipeline-engine.ts';
import { isImageSourcePolicy, processImageSourceJob, type ImageSourceJobResult } from './pipelines/image-source-job.ts';

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
  /** Promotion pipelines: the expression evaluator of `expression` gates and the safety-net interval. */
  pipelines?: Pick<PipelineEngineDeps, 'evaluateExpression' | 'resyncIntervalMs'>;
}

export interface Promoter {
  worker: Worker;
  poller: RegistryPoller;
  /** Promotion pipelines (config.pipelines): freight, gates, approvals, promotions. */
  pipelines: PipelineEngine;
  close(): Promise<void>;
}

/** The promoter: image jobs → policy decision → Git write-back. */
export function createPromoter(deps: PromoterDeps): Promoter {
  const registry = createRegistryClient(deps.registry);
  const producers = createProducers({ connection: deps.redis });
  const git = createPromoterGit(deps.git);
  const jobDeps = {
    producers,
    config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, cacheDir: deps.cacheDir,
    registry, git, ...(deps.author ? { author: deps.author } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}),
  };
  const producer = createImageProducer({ connection: deps.redis });
  const poller = createRegistryPoller({
    config: deps.config, registry, producer, logger: deps.logger, ...(deps.pollIntervalMs !== undefined ? { intervalMs: deps.pollIntervalMs } : {}),
  });
  const pipelines = createPipelineEngine({
    config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, git, cacheDir: deps.cacheDir,
    ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}), ...deps.pipelines,
  });
  const worker = new Worker<unknown, ImageJobResult | ImageSourceJobResult>(queueNames.image, async (job, token, signal) => {
    // A pipeline `image:` source's derived policy: the decision is freight, nothing is written back.
    const policyId = (job.data as { policy?: unknown } | undefined)?.policy;
    if (typeof policyId === 'string' && isImageSourcePolicy(deps.config(), policyId)) {
      return processImageSourceJob({ config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, registry, pipelines }, job, signal);
    }
    const result = await processImageJob(jobDeps, job, token, signal);
    // A new tag written for a policy a pipeline source uses is a new freight of that pipeline.
    if (result.outcome === 'updated') {
      const data = ImageJob.parse(job.data);
      await pipelines.imageDecided({ policy: data.policy, image: data.image, tag: result.newTag, ...(result.newDigest ? { digest: result.newDigest } : {}) });
    }
    return result;
  }, {
    connection: deps.redis,
    concurrency: deps.concurrency ?? 4,
  });
  worker.on('error', (error) => deps.logger.warn({ reason: error.message }, 'image worker error'));
  return {
    worker,
    poller,
    pipelines,
    async close() {
      poller.stop();
      await worker.close();
      await pipelines.close();
      await producer.close();
      await producers.close();
    },
  };
}
