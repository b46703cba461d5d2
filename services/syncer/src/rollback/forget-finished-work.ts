import type { Queue } from 'bullmq';
import { jobIds } from '@tidewater/queues';

export interface WorkQueues {
  render: Queue;
  sync: Queue;
}

/**
 * Removes the finished render and sync jobs of `app` at `revision`, so an operator's request to render and
 * apply that revision again is new work: the producers keep finished jobs an hour under their deterministic ids
 * and treat a request for the same id (and, for syncs, the same bundle) as already done. Running or waiting jobs
 * are left alone — they are about to do the work anyway.
 */
export async function forgetFinishedWork(queues: WorkQueues, app: string, revision: string): Promise<string[]> {
  const forgotten: string[] = [];
  for (const [queue, jobId] of [[queues.render, jobIds.render(app, revision)], [queues.sync, jobIds.sync(app, revision)]] as const) {
    const job = await queue.getJob(jobId);
    if (!job) continue;
    const state = await job.getState();
    if (state !== 'completed' && state !== 'failed') continue;
    await job.remove().catch(() => undefined); // a job that just got picked up again is doing the work: fine
    forgotten.push(jobId);
  }
  return forgotten;
}
