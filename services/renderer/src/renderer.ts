import { Worker } from 'bullmq';
import { queueNames } from '@tidewater/queues';
import { processRenderJob, type RenderJobResult } from './process/process-render-job.ts';
import type { RendererDeps } from './process/renderer-deps.ts';

export interface Renderer {
  worker: Worker;
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

/** The render worker: consumes `queueNames.render` and hands each job to processRenderJob. */
export function createRenderer(deps: RendererDeps): Renderer {
  const worker = new Worker<unknown, RenderJobResult>(queueNames.render, (job) => processRenderJob(job, deps), {
    connection: deps.redis,
    concurrency: deps.concurrency ?? 2,
  });
  worker.on('error', (error) => deps.logger.error({ reason: error.message }, 'render worker error'));
  return {
    worker,
    async close() {
      await worker.close();
    },
  };
}
