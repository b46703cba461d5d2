import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import { redisKeys, type SyncHistoryEntry, type SyncResult } from '@tidewater/queues';

/** Syncs kept per application when its Application sets no `spec.revisionHistoryLimit` (Argo CD's default too). */
export const defaultHistoryLimit = 10;

/** Counter behind `SyncHistoryEntry.id`: one more per recorded sync of the app, never reused (private to the syncer). */
export const historySequenceKey = (app: string): string => `tidewater:app:${app}:history-seq`;

/** How many syncs to keep for an application: its `spec.revisionHistoryLimit`, else 10. */
export function historyLimitOf(application: Pick<ArgoApplication, 'spec'> | undefined): number {
  return application?.spec.revisionHistoryLimit ?? defaultHistoryLimit;
}

/** The history entry for a finished sync. */
export function historyEntryOf(result: SyncResult, id: number, bundleKey?: string): SyncHistoryEntry {
  const trigger = result.trigger ?? { kind: 'unknown' };
  return {
    id,
    app: result.app,
    revision: result.revision,
    phase: result.phase,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    durationMs: result.durationMs,
    trigger: {
      kind: trigger.kind,
      ...(trigger.actor ? { actor: trigger.actor } : {}),
      ...(trigger.deliveryId ? { deliveryId: trigger.deliveryId } : {}),
    },
    ...(result.message ? { message: result.message } : {}),
    ...(bundleKey ? { bundleKey } : {}),
    ...(result.retry ? { retry: result.retry } : {}),
  };
}

/**
 * Records a finished sync (Succeeded or Failed) at the head of the app's history and trims it to `limit`
 * entries. A Superseded result applied nothing and is not history: it returns undefined. A limit of 0 keeps none.
 */
export async function recordSyncHistory(
  redis: Redis,
  result: SyncResult,
  options: { limit: number; bundleKey?: string },
): Promise<SyncHistoryEntry | undefined> {
  if (result.phase === 'Superseded') return undefined;
  const key = redisKeys.history(result.app);
  const id = await redis.incr(historySequenceKey(result.app));
  const entry = historyEntryOf(result, id, options.bundleKey);
  const limit = Math.max(0, Math.floor(options.limit));
  if (limit === 0) {
    await redis.del(key);
    return entry;
  }
  const replies = await redis.multi().lpush(key, JSON.stringify(entry)).ltrim(key, 0, limit - 1).exec();
  const failed = replies?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  return entry;
}

/** The app's recorded syncs, newest first (at most `count`, default all that are kept). Unreadable entries are skipped. */
export async function readHistory(redis: Redis, app: string, count?: number): Promise<SyncHistoryEntry[]> {
  const raw = await redis.lrange(redisKeys.history(app), 0, count === undefined ? -1 : Math.max(0, count - 1));
  return raw.flatMap((text) => {
    try {
      return [JSON.parse(text) as SyncHistoryEntry];
    } catch {
      return [];
    }
  });
}

/** The id the next recorded sync of the app will exceed: lets a waiter recognise syncs that finish after it asked. */
export async function lastHistoryId(redis: Redis, app: string): Promise<number> {
  return Number(await redis.get(historySequenceKey(app))) || 0;
}
