import type { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';

/**
 * Revisions the gateway queued for an app from webhooks: a sorted set, member = commit, score = when it was first
 * seen (ZADD NX, so a re-delivered webhook does not make an old commit look new). Written by the gateway
 *, read here to resume an app where its pushes are.
 */
export const pushedRevisionsKey = (app: string): string => redisKeys.pushedRevisions(app);

/** The newest revision pushed for the app (by first sighting), or undefined when no webhook ever named one. */
export async function latestPushedRevision(redis: Redis, app: string): Promise<string | undefined> {
  const [newest] = await redis.zrange(pushedRevisionsKey(app), '-1', '-1');
  return newest;
}
