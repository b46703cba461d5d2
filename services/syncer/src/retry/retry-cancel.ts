import type { Redis } from 'ioredis';

/** Set by a terminate request while a sync waits to be retried after cluster or Redis trouble; its next attempt ends it. */
export const retryCancelKey = (app: string) => `tidewater:syncer:cancel-retry:${app}`;

export interface RetryCancel {
  actor: string;
  revision: string;
  at: string;
}

export async function requestRetryCancel(redis: Redis, app: string, cancel: RetryCancel): Promise<void> {
  await redis.set(retryCancelKey(app), JSON.stringify(cancel), 'EX', 600);
}

/** Consumes the app's cancel request when it names `revision` (a request for another revision is left alone). */
export async function takeRetryCancel(redis: Redis, app: string, revision: string): Promise<RetryCancel | undefined> {
  const raw = await redis.get(retryCancelKey(app));
  if (!raw) return undefined;
  let cancel: RetryCancel;
  try {
    cancel = JSON.parse(raw) as RetryCancel;
  } catch {
    await redis.del(retryCancelKey(app));
    return undefined;
  }
  if (cancel.revision !== revision) return undefined;
  await redis.del(retryCancelKey(app));
  return cancel;
}
