import { withRepoLock } from '../git/repo-lock.ts';
import type { Redis } from 'ioredis';

/** One evaluation of a pipeline at a time across every promoter replica (the repository lock's mechanism, its own key). */
export function withPipelineLock<T>(redis: Redis, pipeline: string, work: () => Promise<T>): Promise<T> {
  return withRepoLock(redis, `pipeline:${pipeline}`, 'evaluate', work, { ttlMs: 300_000, waitMs: 300_000 });
}
