import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueNames } from './names.ts';
import { ImageJob, jobCatalogue, jobIds } from './payloads.ts';

export interface ImageProducer {
  /** Queues one image job; the same policy, image and digest is one job however often the registry notifies. */
  requestImageUpdate(job: ImageJob, options?: { rerunFinished?: boolean }): Promise<{ jobId: string; added: boolean }>;
  close(): Promise<void>;
}

/** The producer of `tidewater-image` jobs (the gateway's registry routes, the promoter's poller). */
export function createImageProducer(deps: { connection: Redis }): ImageProducer {
  const queue = new Queue(queueNames.image, { connection: deps.connection });
  return {
    async requestImageUpdate(job, options = {}) {
      const data = ImageJob.parse(job);
      const jobId = jobIds.image(data.policy, data.digest ?? `tag-${data.tag ?? 'none'}`);
      // Waiting or running: the same work is already asked for. Finished: a new notification is a new request
      // (the gateway has already dropped redeliveries of one notification), e.g. after `tide resume`.
      const existing = await queue.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        // A poll finding the same digest again is no new request: only a notification re-runs a finished job.
        if ((state !== 'completed' && state !== 'failed') || options.rerunFinished === false) return { jobId, added: false };
        await existing.remove().catch(() => undefined);
      }
      await queue.add('image', data, {
        jobId,
        attempts: jobCatalogue.image.attempts,
        backoff: { type: 'exponential', delay: jobCatalogue.image.backoffMs },
        removeOnComplete: { age: 3_600, count: 5_000 },
        removeOnFail: { age: 7 * 24 * 3_600, count: 5_000 },
      });
      return { jobId, added: true };
    },
    close: () => queue.close(),
  };
}
