import type { Queue } from 'bullmq';

/**
 * Runs a failed or delayed sync job again now: a delayed one (a scheduled retry) is promoted, a failed one is
 * moved back to waiting. A job still finishing its failed run (active) is awaited briefly first; a waiting one is
 * left alone; a removed one cannot be retried.
 */
export async function retrySyncJobNow(queue: Queue, jobId: string, options: { settleTimeoutMs?: number } = {}): Promise<'promoted' | 'retried' | 'unchanged' | 'gone'> {
  const deadline = Date.now() + (options.settleTimeoutMs ?? 10_000);
  for (;;) {
    const job = await queue.getJob(jobId);
    if (!job) return 'gone';
    const state = await job.getState();
    if (state === 'delayed') {
      await job.promote();
      return 'promoted';
    }
    if (state === 'failed') {
      await job.retry('failed');
      return 'retried';
    }
    if (state !== 'active' || Date.now() > deadline) return 'unchanged';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
