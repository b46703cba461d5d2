import type { Job } from 'bullmq';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import type { Logger } from '@tidewater/telemetry';

/** BullMQ's reason for a job that stalled more often than `maxStalledCount` (failed when a worker next takes it). */
const stalledTooOften = 'job stalled more than allowable limit';

interface ReportDeps {
  events: EventPublisher;
  logger: Logger;
}

function describeJob(job: Pick<Job, 'data'> | undefined): { app?: string; revision?: string; trigger?: string; actor?: string } {
  const data = (job?.data ?? {}) as { app?: unknown; revision?: unknown; trigger?: { kind?: unknown; actor?: unknown } };
  return {
    ...(typeof data.app === 'string' ? { app: data.app } : {}),
    ...(typeof data.revision === 'string' ? { revision: data.revision } : {}),
    ...(typeof data.trigger?.kind === 'string' ? { trigger: data.trigger.kind } : {}),
    ...(typeof data.trigger?.actor === 'string' ? { actor: data.trigger.actor } : {}),
  };
}

/** A render BullMQ found stalled (its renderer died or stopped renewing the lock) and put back to wait: logged with app and commit. */
export function reportStalledRender(jobId: string, job: Pick<Job, 'data' | 'deferredFailure'> | undefined, deps: ReportDeps): void {
  const { app, revision } = describeJob(job);
  const log = deps.logger.child({ jobId, app, revision });
  if (job?.deferredFailure?.includes(stalledTooOften)) {
    log.warn('render interrupted by its renderer\'s crash more often than allowed; it fails when next taken');
  } else {
    log.warn('render interrupted: its renderer stopped (crash or lost lock); the job is run again');
  }
}

/**
 * A render failed by BullMQ because it stalled more often than allowed never reached the processor: logged as an
 * error and reported as `render.failed` naming app and commit, so a render caught by repeated crashes never fails
 * silently. Returns false for any other failure (the processor reported those itself).
 */
export async function reportRenderFailedByStalls(job: Pick<Job, 'id' | 'data'>, error: Error, deps: ReportDeps): Promise<boolean> {
  if (!error.message.includes(stalledTooOften)) return false;
  const { app, revision, trigger, actor } = describeJob(job);
  const reason = `render of ${app ?? 'an unknown application'} at ${revision ?? 'an unknown commit'} was interrupted by renderer crashes more often than allowed (${stalledTooOften})`;
  deps.logger.error({ jobId: job.id, app, revision, reason }, 'render failed');
  await deps.events.publish({
    type: eventTypes.renderFailed,
    data: { app, revision, reason, stalled: true, ...(trigger ? { trigger } : {}), ...(actor ? { actor } : {}) },
  });
  return true;
}
