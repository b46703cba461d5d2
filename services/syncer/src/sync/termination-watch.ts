import type { Redis } from 'ioredis';

/** Set by a `terminate` control request (`{ actor, at }` JSON, with a TTL); the app's running sync consumes it. */
export const terminateRequestKey = (app: string): string => `tidewater:syncer:terminate:${app}`;

export interface TerminationWatch {
  /** Aborted with `Error('terminated by <actor>')` once a terminate request for the app arrives. */
  signal: AbortSignal;
  /** Who terminated the operation, once it was. */
  terminatedBy(): string | undefined;
  stop(): void;
}

/**
 * Watches for a terminate request while one sync of `app` runs (in whichever replica holds the app's lock): polls
 * the request key, consumes it and aborts the signal. A request made before `since` (when this sync took the app's
 * lock) was meant for an earlier sync and is dropped.
 */
export async function watchTermination(redis: Redis, app: string, options: { since: Date; intervalMs?: number }): Promise<TerminationWatch> {
  const controller = new AbortController();
  let actor: string | undefined;
  const pending = await redis.get(terminateRequestKey(app));
  if (pending) {
    let at = 0;
    try {
      at = Date.parse((JSON.parse(pending) as { at?: string }).at ?? '') || 0;
    } catch {
      // unreadable: stale
    }
    if (at < options.since.getTime()) await redis.del(terminateRequestKey(app));
  }
  let checking = false;
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted) return;
    checking = true;
    redis.getdel(terminateRequestKey(app)).then((raw) => {
      if (!raw) return;
      try {
        actor = (JSON.parse(raw) as { actor?: string }).actor ?? 'operator';
      } catch {
        actor = 'operator';
      }
      controller.abort(new Error(`terminated by ${actor}`));
    }, () => undefined).finally(() => {
      checking = false;
    });
  }, options.intervalMs ?? 200);
  timer.unref();
  return {
    signal: controller.signal,
    terminatedBy: () => actor,
    stop: () => clearInterval(timer),
  };
}
