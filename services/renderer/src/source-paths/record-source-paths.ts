import type { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';

/** Replaces the app's source-path SET atomically (MULTI: DEL + SADD), so the gateway never sees a half-written set. */
export async function recordSourcePaths(redis: Redis, app: string, paths: readonly string[]): Promise<void> {
  const key = redisKeys.sourcePaths(app);
  const transaction = redis.multi().del(key);
  if (paths.length) transaction.sadd(key, ...paths);
  const results = await transaction.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
}
