import { UnrecoverableError } from 'bullmq';
import { ControlJob } from '@tidewater/queues';
import { computeAppDiff, DiffUnavailable, type AppDiff, type AppDiffDeps } from './compute-app-diff.ts';

/**
 * The control queue's answer to kind 'diff' (the control worker dispatches it here): the job's return value is
 * the AppDiff, so an asker awaits it with BullMQ's `job.waitUntilFinished(queueEvents)`. A diff that cannot be
 * computed as asked fails the job with UnrecoverableError and a message saying what to do.
 */
export async function handleDiffJob(job: { id?: string; data: unknown }, deps: AppDiffDeps): Promise<AppDiff> {
  const parsed = ControlJob.safeParse(job.data);
  if (!parsed.success || parsed.data.kind !== 'diff') throw new UnrecoverableError(`control job ${job.id} is not a diff request`);
  try {
    return await computeAppDiff({ app: parsed.data.app, ...(parsed.data.revision ? { revision: parsed.data.revision } : {}) }, deps);
  } catch (error) {
    if (error instanceof DiffUnavailable) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** The control worker's `diff` option: answers a parsed diff request (`createControlWorker({ diff: diffRequestHandler(deps) })`). */
export function diffRequestHandler(deps: AppDiffDeps): (request: { kind: 'diff'; app: string; revision?: string }) => Promise<AppDiff> {
  return (request) => handleDiffJob({ data: request }, deps);
}
