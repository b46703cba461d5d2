import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** At most one sync per application at a time, across every syncer replica. */
export const appLockKey = (app: string) => `tidewater:syncer:lock:${app}`;

// Touch or delete the lock only while it still holds our token: an expired lock may belong to another replica now.
const renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface AppLock {
  /** Stops renewing and deletes the lock if it is still ours. */
  release(): Promise<void>;
}

export interface AppLockOptions {
  ttlMs?: number;
  /** Called when a renewal finds the lock taken over or gone (a stall longer than the TTL). */
  onLost?: () => void;
}

/**
 * Takes the application's lock (SET NX PX with a random token) and keeps renewing it until released;
 * undefined when another sync of the application holds it.
 */
export async function tryAcquireAppLock(redis: Redis, app: string, options: AppLockOptions = {}): Promise<AppLock | undefined> {
  const ttlMs = options.ttlMs ?? 120_000;
  const key = appLockKey(app);
  const token = randomBytes(16).toString('hex');
  const acquired = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (acquired !== 'OK') return undefined;
  const renewal = setInterval(() => {
    redis.eval(renewScript, 1, key, token, String(ttlMs)).then((renewed) => {
      if (renewed === 0) options.onLost?.();
    }, () => {
      // Redis unreachable for a moment: the next renewal tries again well before the TTL runs out.
    });
  }, Math.max(1_000, Math.floor(ttlMs / 3)));
  renewal.unref();
  return {
    async release() {
      clearInterval(renewal);
      await redis.eval(releaseScript, 1, key, token);
    },
  };
}
