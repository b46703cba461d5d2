import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { redisKeys, type Producers } from '@tidewater/queues';
import { injectTraceContext } from '@tidewater/telemetry';
import { ExternalServiceError } from '../errors/http-errors.ts';
import {
  affectedApplications, applicationsNeedingSourcePaths, followsPushedRef, type SourcePathsByApp,
} from '../routing/affected-applications.ts';
import type { NormalisedPush } from './normalised-push.ts';
import { admitPushWithPause, recordPushedRevision } from './pause-gate.ts';

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

/** What routing the pushes needs from Redis: read in one round trip, before anything is written. */
export interface PushRoutingState {
  sourcePathsByApp: SourcePathsByApp;
  /** The pause (`redisKeys.paused`) of every app that follows a pushed ref; null when it is not paused. */
  pauseByApp: ReadonlyMap<string, string | null>;
}

/**
 * Reads the stored source paths of the apps that only those could pull in and the pause key of every app that
 * follows a pushed ref. The commands go out without waiting on each other (one round trip; one write on an
 * auto-pipelining connection, shared with whatever else the caller sends in the same tick).
 */
export async function readPushRoutingState(
  redis: Redis,
  pushes: readonly NormalisedPush[],
  applications: readonly ArgoApplication[],
): Promise<PushRoutingState> {
  const following = distinctNames(applications.filter((application) => pushes.some((push) => !push.deleted && followsPushedRef(push, application))));
  const needingPaths = distinctNames(pushes.flatMap((push) => applicationsNeedingSourcePaths(push, applications)));
  const [paths, pauses] = await Promise.all([
    Promise.all(needingPaths.map((app) => redis.smembers(redisKeys.sourcePaths(app)))),
    following.length > 0 ? redis.mget(following.map((app) => redisKeys.paused(app))) : Promise.resolve([]),
  ]);
  return {
    sourcePathsByApp: new Map(needingPaths.map((app, index) => [app, paths[index]])),
    pauseByApp: new Map(following.map((app, index) => [app, pauses[index] ?? null])),
  };
}

/**
 * Finds the applications each push affects and queues one render per application and commit: the pause gate
 * first, then every render at once, then (together) the pushed revisions recorded for the pause gate and
 * `afterQueued` (the caller's event). `state` is `readPushRoutingState`'s, when the caller already read it.
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
  state?: PushRoutingState;
  /** Runs once every render is queued, alongside recording the pushed revisions; must not throw. */
  afterQueued?: (results: readonly PushRenders[]) => Promise<void>;
}): Promise<PushRenders[]> {
  try {
    const state = deps.state ?? await readPushRoutingState(deps.redis, deps.pushes, deps.applications);
    const results: PushRenders[] = [];
    const wanted: Array<{ result: PushRenders; application: ArgoApplication }> = [];
    for (const push of deps.pushes) {
      const result: PushRenders = { push, renders: [], held: [], resumed: [] };
      results.push(result);
      for (const application of affectedApplications(push, deps.applications, state.sourcePathsByApp)) {
        const app = application.metadata.name;
        // --- pause gate (rollback): a paused app takes only a commit it has never seen ---
        const pause = state.pauseByApp.has(app) ? state.pauseByApp.get(app) ?? null : await deps.redis.get(redisKeys.paused(app));
        const admission = await admitPushWithPause(
          { redis: deps.redis, ...(deps.events ? { events: deps.events } : {}) },
          { app, revision: push.revision, deliveryId: push.deliveryId, ...(push.actor ? { actor: push.actor } : {}) },
          pause,
        );
        if (admission === 'held') {
          result.held.push(app);
          continue;
        }
        if (admission === 'resumed') result.resumed.push(app);
        // --- end pause gate ---
        wanted.push({ result, application });
      }
    }
    // Every render at once: on one connection the commands still run in the order sent.
    const trace = injectTraceContext();
    const queued = await Promise.all(wanted.map(({ result: { push }, application }) => deps.producers.requestRender({
      app: application.metadata.name,
      repoURL: application.spec.source.repoURL,
      revision: push.revision,
      targetRevision: application.spec.source.targetRevision ?? 'HEAD',
      trigger: {
        kind: 'webhook', provider: push.provider, deliveryId: push.deliveryId, receivedAt: deps.receivedAt,
        ...(push.actor ? { actor: push.actor } : {}),
      },
      trace,
    })));
    wanted.forEach(({ result, application }, index) => {
      result.renders.push({ app: application.metadata.name, ...queued[index] });
    });
    // Pause gate: what a paused app already knows; recorded only for revisions whose render is queued.
    await Promise.all([
      ...wanted.map(({ result: { push }, application }) => recordPushedRevision(deps.redis, application.metadata.name, push.revision)),
      deps.afterQueued?.(results),
    ]);
    return results;
  } catch (error) {
    throw new ExternalServiceError('could not queue render jobs', { cause: error });
  }
}

function distinctNames(applications: readonly ArgoApplication[]): string[] {
  return [...new Set(applications.map((application) => application.metadata.name))];
}
