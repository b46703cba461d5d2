import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import type { Producers } from '@tidewater/queues';
import { currentTraceId, injectTraceContext, type Logger } from '@tidewater/telemetry';
import { ControlRequestRefused } from '../control/control-errors.ts';
import { forgetFinishedWork, type WorkQueues } from './forget-finished-work.ts';
import { clearPause, readPause } from './pause.ts';
import { latestPushedRevision } from './pushed-revisions.ts';

/** What an operator's request (rollback, resume) needs: config, state, the render queue, events, logs. */
export interface OperatorRequestDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  producers: Pick<Producers, 'requestRender' | 'requestSync'>;
  events: EventPublisher;
  logger: Logger;
  queues: WorkQueues;
}

export type ResumeDeps = OperatorRequestDeps;

export interface ResumeResult {
  kind: 'resume';
  app: string;
  /** False when the app was not paused (nothing changed, nothing queued). */
  resumed: boolean;
  /** The revision the app had been held at. */
  pausedRevision?: string;
  /** The revision queued so the app catches up (the renderer then follows the branch to its newest commit). */
  catchUpRevision?: string;
}

/**
 * Resumes automated sync of a paused app: clear the pause, announce it, and queue a render of the newest revision
 * pushed for the app (or, when no webhook ever named one, the revision synced before the rollback). The renderer
 * follows the branch from there, so the app catches up with its branch head. Returns once queued: the catch-up
 * may land on a newer commit than the one queued, which only the renderer knows.
 */
export async function resumeApplication(request: { app: string; actor?: string }, deps: ResumeDeps): Promise<ResumeResult> {
  const { app } = request;
  const actor = request.actor ?? 'operator';
  const application = deps.config().applications.find((candidate) => candidate.metadata.name === app);
  if (!application) throw new ControlRequestRefused(`application ${app} is not in the configuration`);

  const pause = await readPause(deps.redis, app);
  if (!pause) return { kind: 'resume', app, resumed: false };
  await clearPause(deps.redis, app);
  const pausedRevision = pause.record.revision || undefined;
  await deps.events.publish({
    type: eventTypes.syncResumed,
    data: { app, revision: pausedRevision, actor, traceId: currentTraceId(), reason: 'operator' },
  });

  const catchUpRevision = await latestPushedRevision(deps.redis, app) ?? pause.record.from;
  const log = deps.logger.child({ app, actor, pausedRevision, catchUpRevision });
  if (catchUpRevision) {
    await forgetFinishedWork(deps.queues, app, catchUpRevision);
    await deps.producers.requestRender({
      app, repoURL: application.spec.source.repoURL, revision: catchUpRevision,
      targetRevision: application.spec.source.targetRevision ?? 'HEAD',
      trigger: { kind: 'manual', actor, receivedAt: new Date().toISOString() }, trace: injectTraceContext(),
    });
  }
  log.info('automated sync resumed');
  return {
    kind: 'resume', app, resumed: true,
    ...(pausedRevision ? { pausedRevision } : {}), ...(catchUpRevision ? { catchUpRevision } : {}),
  };
}
