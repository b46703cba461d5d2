import { Worker } from 'bullmq';
import { queueNames } from '@tidewater/queues';
import { processRenderJob, type RenderJobResult } from './process/process-render-job.ts';
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
  const worker = new Worker<unknown, RenderJobResult>(queueNames.render, (job) => processRenderJob(job, deps), {
    connection: deps.redis,
    concurrency: deps.concurrency ?? 2,
  });
  worker.on('error', (error) => deps.logger.error({ reason: error.message }, 'render worker error'));
  const heads = createHeadsWorker({ config: deps.config, redis: deps.redis, logger: deps.logger, cacheDir: deps.cacheDir });
  return {
    worker,
    heads,
    async close() {
      await Promise.all([worker.close(), heads.close()]);
    },
  };
}
