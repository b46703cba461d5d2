import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ExternalServiceError } from '../errors/promoter-errors.ts';

const releaseIfOwner = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The promoter's own key: one writer per repository and branch across every replica. */
export const repoLockKey = (repoUrl: string, branch: string) => `tidewater:promoter:lock:${repoUrl}#${branch}`;

/** Runs `work` holding the repository+branch lock (Redis SET NX PX); waits up to `waitMs` for it. */
export async function withRepoLock<T>(redis: Redis, repoUrl: string, branch: string, work: () => Promise<T>, options: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
  const key = repoLockKey(repoUrl, branch);
  const token = randomUUID();
  const ttlMs = options.ttlMs ?? 120_000;
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') break;
    if (Date.now() > deadline) throw new ExternalServiceError(`repository ${repoUrl} branch ${branch} is busy: another write-back holds it`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  try {
    return await work();
  } finally {
    await redis.eval(releaseIfOwner, 1, key, token).catch(() => undefined);
  }
}
