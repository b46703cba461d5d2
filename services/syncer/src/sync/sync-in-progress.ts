import type { Redis } from 'ioredis';

/**
 * Set while a sync of the application is under way, across a crash of its replica: self-heal leaves the app alone
 * until the retried sync finishes (healing toward the previous bundle would re-create what that sync prunes).
 */
export const syncInProgressKey = (app: string) => `tidewater:syncer:sync-in-progress:${app}`;

/** A crashed sync whose job was lost entirely stops blocking self-heal after this long. */
const syncInProgressTtlSeconds = 600;

export async function markSyncInProgress(redis: Redis, app: string, revision: string): Promise<void> {
  await redis.set(syncInProgressKey(app), revision, 'EX', syncInProgressTtlSeconds);
}

export async function clearSyncInProgress(redis: Redis, app: string): Promise<void> {
  await redis.del(syncInProgressKey(app));
}
