import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** At most one sync per application at a time, across every syncer replica. */
export const appLockKey = (app: string) => `tidewater:syncer:lock:${app}`;
/** INCR'd on every acquisition of the application's lock: the fencing token of that holder (monotonic, never reused). */
export const appLockFenceKey = (app: string) => `tidewater:syncer:lock-fence:${app}`;

/** How long an application's lock lasts without renewal: a killed holder's lock is free again after this. */
export const defaultAppLockTtlMs = 10_000;

// Take the lock when it is free, with the next fencing token, in one step.
const acquireScript = `
if redis.call('exists', KEYS[1]) == 1 then return 0 end
local fence = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], fence .. ':' .. ARGV[1], 'PX', ARGV[2])
return fence`;
// Touch or delete the lock only while it still holds our fence and token: an expired lock may belong to another replica now.
const renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The application's lock is no longer this holder's (it expired during a stall and another holder may have it). */
export class AppLockLost extends Error {
  readonly app: string;
  readonly fence: number;

  constructor(app: string, fence: number) {
    super(`the sync lock of application ${app} (fencing token ${fence}) was lost; stopping before the next apply`);
    this.name = 'AppLockLost';
    this.app = app;
    this.fence = fence;
  }
}

export interface AppLock {
  /** This holder's fencing token: greater than every earlier holder's. */
  fence: number;
  /** Throws AppLockLost unless Redis still holds this holder's fencing token (the apply path calls it before each batch). */
  assertHeld(): Promise<void>;
  /** Stops renewing and deletes the lock if it is still ours. */
  release(): Promise<void>;
}

export interface AppLockOptions {
  ttlMs?: number;
  /** Called when a renewal finds the lock taken over or gone (a stall longer than the TTL). */
  onLost?: () => void;
}

/**
 * Takes the application's lock (a Lua SET NX PX with the next INCR'd fencing token) and keeps renewing it until
 * released; undefined when another sync of the application holds it.
 */
export async function tryAcquireAppLock(redis: Redis, app: string, options: AppLockOptions = {}): Promise<AppLock | undefined> {
  const ttlMs = options.ttlMs ?? defaultAppLockTtlMs;
  const key = appLockKey(app);
  const token = randomBytes(16).toString('hex');
  const fence = Number(await redis.eval(acquireScript, 2, key, appLockFenceKey(app), token, String(ttlMs)));
  if (!(fence > 0)) return undefined;
  const value = `${fence}:${token}`;
  let lost = false;
  const renewal = setInterval(() => {
    redis.eval(renewScript, 1, key, value, String(ttlMs)).then((renewed) => {
      if (renewed === 0 && !lost) {
        lost = true;
        clearInterval(renewal);
        options.onLost?.();
      }
    }, () => {
      // Redis unreachable for a moment: the next renewal tries again well before the TTL runs out.
    });
  }, Math.max(500, Math.floor(ttlMs / 4)));
  renewal.unref();
  return {
    fence,
    async assertHeld() {
      if (lost || (await redis.get(key)) !== value) {
        lost = true;
        throw new AppLockLost(app, fence);
      }
    },
    async release() {
      clearInterval(renewal);
      await redis.eval(releaseScript, 1, key, value);
    },
  };
}
