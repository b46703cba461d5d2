import type { Redis } from 'ioredis';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { redisKeys } from '@tidewater/queues';

/**
 * Revisions queued for an app from webhooks (`redisKeys.pushedRevisions`): a sorted set, member = commit, score = first sighting (ZADD NX).
 * The syncer reads the newest to resume a paused app where its pushes are.
 */
export const pushedRevisionsKey = (app: string): string => redisKeys.pushedRevisions(app);

/** Commits remembered per app; older ones fall back on the sync history to be recognised. */
const pushedRevisionsKept = 500;

/**
 * What a push may do to an app: `open` — the app is not paused; `resumed` — the app was paused after a rollback
 * and this is a commit never seen before, so automated sync resumes; `held` — the app is paused and the commit
 * is one it already knew (a re-delivered webhook, the commit that was rolled back from), so nothing is queued.
 */
export type PushAdmission = 'open' | 'resumed' | 'held';

// Deletes the pause only while it is still the one read: a rollback that paused again meanwhile wins.
const deleteIfUnchanged = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * Decides whether a pushed revision may be rendered for an app. This runs in the gateway, before the render
 * request, because that request makes the revision the app's desired one: doing it for an old commit while the
 * app is paused would supersede the rollback in flight (argo-cd #9570, rollback fighting auto-sync).
 */
export async function admitPush(
  deps: { redis: Redis; events?: EventPublisher },
  push: { app: string; revision: string; actor?: string; deliveryId?: string },
): Promise<PushAdmission> {
  return admitPushWithPause(deps, push, await deps.redis.get(redisKeys.paused(push.app)));
}

/**
 * `admitPush` once the app's pause key (`redisKeys.paused`) has been read (`null`: not paused), so the read can
 * travel with the request's other reads. A paused app costs a few more reads; an open one none.
 */
export async function admitPushWithPause(
  deps: { redis: Redis; events?: EventPublisher },
  push: { app: string; revision: string; actor?: string; deliveryId?: string },
  raw: string | null,
): Promise<PushAdmission> {
  if (raw === null) return 'open';
  const { redis } = deps;
  const { app, revision } = push;
  const pause = parsePause(raw);
  if (revision === pause.revision || revision === pause.from) return 'held';
  if (await redis.zscore(pushedRevisionsKey(app), revision) !== null) return 'held';
  const history = await redis.lrange(redisKeys.history(app), 0, -1);
  if (history.some((entry) => parseRevision(entry) === revision)) return 'held';

  const cleared = Number(await redis.eval(deleteIfUnchanged, 1, redisKeys.paused(app), raw)) > 0;
  if (cleared && deps.events) {
    await deps.events.publish({
      type: eventTypes.syncResumed,
      data: {
        app, revision, actor: push.actor, pausedRevision: pause.revision, reason: 'new commit',
        ...(push.deliveryId ? { deliveryId: push.deliveryId } : {}),
      },
    }).catch(() => undefined); // the resume itself happened; a lost event must not turn the webhook into a 503
  }
  return 'resumed';
}

/** Remembers that `revision` was queued for `app` (its first sighting is kept). */
export async function recordPushedRevision(redis: Redis, app: string, revision: string, at = Date.now()): Promise<void> {
  const key = pushedRevisionsKey(app);
  // Two commands sent together on one connection (run in order); not a MULTI: trimming needs no atomicity, and
  // plain commands share the connection's auto-pipelined writes with concurrent requests.
  await Promise.all([redis.zadd(key, 'NX', at, revision), redis.zremrangebyrank(key, 0, -(pushedRevisionsKept + 1))]);
}

function parsePause(raw: string): { revision?: string; from?: string } {
  try {
    return JSON.parse(raw) as { revision?: string; from?: string };
  } catch {
    return {};
  }
}

function parseRevision(entry: string): string | undefined {
  try {
    return (JSON.parse(entry) as { revision?: string }).revision;
  } catch {
    return undefined;
  }
}
