import type { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';

/** What `redisKeys.paused(app)` holds while automated sync of the app is paused. */
export interface PauseRecord {
  /** The revision the app is held at (the rollback target). */
  revision: string;
  /** Who paused it (the rollback's actor). */
  by: string;
  at: string;
  reason: 'rollback';
  /** The revision that was synced when the rollback was asked for. */
  from?: string;
}

/** The app's pause, or undefined when automated sync runs. */
export async function readPause(redis: Redis, app: string): Promise<{ record: PauseRecord; raw: string } | undefined> {
  const raw = await redis.get(redisKeys.paused(app));
  if (raw === null) return undefined;
  try {
    return { record: JSON.parse(raw) as PauseRecord, raw };
  } catch {
    return { record: { revision: '', by: 'unknown', at: '', reason: 'rollback' }, raw };
  }
}

export async function writePause(redis: Redis, app: string, record: PauseRecord): Promise<void> {
  await redis.set(redisKeys.paused(app), JSON.stringify(record));
}

// Deletes the key only while it still holds the value read earlier: a rollback that paused again meanwhile wins.
const deleteIfUnchanged = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** Clears the pause if it is still `expectedRaw` (or unconditionally without it); true when this call cleared it. */
export async function clearPause(redis: Redis, app: string, expectedRaw?: string): Promise<boolean> {
  if (expectedRaw === undefined) return (await redis.del(redisKeys.paused(app))) > 0;
  return Number(await redis.eval(deleteIfUnchanged, 1, redisKeys.paused(app), expectedRaw)) > 0;
}
