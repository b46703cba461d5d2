import { DelayedError, Job, Worker } from 'bullmq';
import { queueNames } from '@tidewater/queues';
import { processRenderJob, type RenderJobResult } from './process/process-render-job.ts';
import { reportRenderFailedByStalls, reportStalledRender } from './process/report-stalled-render.ts';
import { KeepRetrying } from './errors/keep-retrying.ts';
import type { RendererDeps } from './process/renderer-deps.ts';
import { createHeadsWorker, type HeadsWorker } from './heads/heads-worker.ts';

export interface Renderer {
  worker: Worker;
  /** Answers branch-head requests (queueNames.heads) with the renderer's Git credentials. */
  heads: HeadsWorker;
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

/** The render worker (`queueNames.render` → processRenderJob) and the heads worker (`queueNames.heads`). */
export function createRenderer(deps: RendererDeps): Renderer {
  const lockDurationMs = deps.lockDurationMs ?? 10_000;
  const processorDeps: RendererDeps = { ...deps, transientRetryDelayMs: deps.transientRetryDelayMs ?? 30_000 };
  const worker = new Worker<unknown, RenderJobResult>(queueNames.render, async (job, token) => {
    try {
      return await processRenderJob(job, processorDeps);
    } catch (error) {
      if (!(error instanceof KeepRetrying)) throw error;
      if (!token) throw error.cause;
      // Level-triggered: accepted work is retried until it succeeds, not dropped after a fixed number of tries.
      await job.moveToDelayed(Date.now() + error.delayMs, token);
      throw new DelayedError();
    }
  }, {
    connection: deps.redis,
    concurrency: deps.concurrency ?? 2,
    // A killed renderer's job is found stalled once its lock expires and is run again by any replica: within
    // about 1.5 lock durations (BullMQ's default, 30 s and a 30 s check, took up to a minute).
    lockDuration: lockDurationMs,
    stalledInterval: Math.max(1_000, Math.floor(lockDurationMs / 2)),
    // A render caught by crashes is run again this many times before it fails (reported by reportRenderFailedByStalls).
    maxStalledCount: deps.maxStalledCount ?? 2,
  });
  worker.on('error', (error) => deps.logger.error({ reason: error.message }, 'render worker error'));
  const reportDeps = { events: deps.events, logger: deps.logger };
  worker.on('stalled', (jobId) => {
    Job.fromId(worker, jobId)
      .then((job) => reportStalledRender(jobId, job, reportDeps))
      .catch((error: unknown) => deps.logger.error({ jobId, reason: (error as Error).message }, 'could not read a stalled render'));
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    reportRenderFailedByStalls(job, error, reportDeps)
      .catch((publishError: unknown) => deps.logger.error({ jobId: job.id, reason: (publishError as Error).message }, 'could not report a failed render'));
  });
  const heads = createHeadsWorker({ config: deps.config, redis: deps.redis, logger: deps.logger, cacheDir: deps.cacheDir });
  return {
    worker,
    heads,
    async close() {
      await Promise.all([worker.close(), heads.close()]);
    },
  };
}
