import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { redisKeys, type Producers } from '@tidewater/queues';
import { injectTraceContext } from '@tidewater/telemetry';
import { ExternalServiceError } from '../errors/http-errors.ts';
import { affectedApplications, followsPushedRef, type SourcePathsByApp } from '../routing/affected-applications.ts';
import type { NormalisedPush } from './normalised-push.ts';
import { admitPush, recordPushedRevision } from './pause-gate.ts';

export interface QueuedRender {
  app: string;
  jobId: string;
  /** False when a job for this app and commit already existed (nothing new was queued). */
  added: boolean;
}

export interface PushRenders {
  push: NormalisedPush;
  renders: QueuedRender[];
  /** Apps paused after a rollback that this push left alone: it names a commit they already knew. */
  held: string[];
  /** Apps whose pause this push ended: a new commit resumes automated sync. */
  resumed: string[];
}

/**
 * Finds the applications each push affects and queues one render per application and commit.
 * Redis or queue failures become ExternalServiceError (503: the provider redelivers).
 */
export async function requestRendersForPushes(deps: {
  redis: Redis;
  producers: Producers;
  applications: readonly ArgoApplication[];
  pushes: readonly NormalisedPush[];
  receivedAt: string;
  /** Publishes `sync.resumed` when a new commit ends a pause. */
  events?: EventPublisher;
}): Promise<PushRenders[]> {
  try {
    const sourcePathsByApp = await readSourcePaths(deps.redis, deps.pushes, deps.applications);
    const results: PushRenders[] = [];
    for (const push of deps.pushes) {
      const renders: QueuedRender[] = [];
      const held: string[] = [];
      const resumed: string[] = [];
      for (const application of affectedApplications(push, deps.applications, sourcePathsByApp)) {
        const app = application.metadata.name;
        // --- pause gate (rollback): a paused app takes only a commit it has never seen ---
        const admission = await admitPush(
          { redis: deps.redis, ...(deps.events ? { events: deps.events } : {}) },
          { app, revision: push.revision, deliveryId: push.deliveryId, ...(push.actor ? { actor: push.actor } : {}) },
        );
        if (admission === 'held') {
          held.push(app);
          continue;
        }
        if (admission === 'resumed') resumed.push(app);
        // --- end pause gate ---
        const { jobId, added } = await deps.producers.requestRender({
          app,
          repoURL: application.spec.source.repoURL,
          revision: push.revision,
          targetRevision: application.spec.source.targetRevision ?? 'HEAD',
          trigger: {
            kind: 'webhook', provider: push.provider, deliveryId: push.deliveryId, receivedAt: deps.receivedAt,
            ...(push.actor ? { actor: push.actor } : {}),
          },
          trace: injectTraceContext(),
        });
        renders.push({ app, jobId, added });
        await recordPushedRevision(deps.redis, app, push.revision); // pause gate: what a paused app already knows
      }
      results.push({ push, renders, held, resumed });
    }
    return results;
  } catch (error) {
    throw new ExternalServiceError('could not queue render jobs', { cause: error });
  }
}

/** Reads the stored source paths only of apps that follow a pushed ref, and only when some push lists its files. */
async function readSourcePaths(
  redis: Redis,
  pushes: readonly NormalisedPush[],
  applications: readonly ArgoApplication[],
): Promise<SourcePathsByApp> {
  const candidates = applications.filter((application) => pushes.some((push) => push.changedPaths !== undefined
    && followsPushedRef(push, application)));
  const sourcePaths = new Map<string, string[]>();
  if (candidates.length === 0) return sourcePaths;
  const pipeline = redis.pipeline();
  for (const application of candidates) pipeline.smembers(redisKeys.sourcePaths(application.metadata.name));
  const replies = (await pipeline.exec()) ?? [];
  candidates.forEach((application, index) => {
    const [error, members] = replies[index] ?? [new Error('no reply'), undefined];
    if (error) throw error;
    sourcePaths.set(application.metadata.name, members as string[]);
  });
  return sourcePaths;
}
