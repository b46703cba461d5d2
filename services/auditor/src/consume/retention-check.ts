import type { Redis } from 'ioredis';
import { eventsStreamKey } from '@tidewater/events';
import { compareStreamIds } from '../log/audit-record.ts';

export interface RetentionStatus {
  /** True when events the auditor never appended were removed from the stream (trimmed or deleted). */
  gap: boolean;
  /** How many events were removed before the auditor appended them, counted since the group was created; null when Redis cannot tell. */
  missingEvents: number | null;
  lastAppendedStreamId: string | undefined;
  /** Oldest entry still in the stream. */
  firstStreamId: string | undefined;
  /** Entries the group has not been delivered yet, as Redis counts them (Redis ≥ 7); null when unknown. */
  lag: number | null;
  length: number;
  entriesAdded: number | null;
}

function fieldsToMap(flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/**
 * Compares the stream's retention with what the auditor has appended. Call it between batches — when every
 * entry delivered to the group is appended — or it would count events in flight.
 *
 * Trimming removes the oldest entries. While an entry the auditor appended is still in the stream, nothing after
 * it was removed. Otherwise, the group's lag (entries added after its last delivered id, Redis ≥ 7) exceeding the
 * stream length means that many undelivered entries are gone. A first start on a trimmed stream counts
 * everything removed before it (entries-added − length). Entries deleted with XDEL after the last appended one,
 * or a server without lag, fall back to "the first entry is after the last appended one" (count unknown).
 */
export async function checkRetention(redis: Redis, group: string, lastAppendedStreamId: string | undefined): Promise<RetentionStatus> {
  let info: Map<string, unknown>;
  try {
    info = fieldsToMap((await redis.call('XINFO', 'STREAM', eventsStreamKey)) as unknown[]);
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) {
      return { gap: false, missingEvents: 0, lastAppendedStreamId, firstStreamId: undefined, lag: null, length: 0, entriesAdded: null };
    }
    throw error;
  }
  const length = Number(info.get('length') ?? 0);
  const entriesAdded = numberOrNull(info.get('entries-added'));
  const firstEntry = info.get('first-entry') as [string, unknown] | null | undefined;
  const firstStreamId = firstEntry ? String(firstEntry[0]) : undefined;
  const maxDeleted = info.get('max-deleted-entry-id');
  const deletedAfterAppended = typeof maxDeleted === 'string' && maxDeleted !== '0-0' && compareStreamIds(maxDeleted, lastAppendedStreamId) > 0;

  let lag: number | null = null;
  try {
    const groups = (await redis.call('XINFO', 'GROUPS', eventsStreamKey)) as unknown[][];
    lag = numberOrNull(groups.map(fieldsToMap).find((fields) => fields.get('name') === group)?.get('lag'));
  } catch {
    lag = null;
  }

  const base = { lastAppendedStreamId, firstStreamId, lag, length, entriesAdded };
  const appendedStillPresent = firstStreamId !== undefined && lastAppendedStreamId !== undefined
    && compareStreamIds(firstStreamId, lastAppendedStreamId) <= 0;
  if (appendedStillPresent && !deletedAfterAppended) return { ...base, gap: false, missingEvents: 0 };
  if (lastAppendedStreamId === undefined && entriesAdded !== null) {
    const missing = Math.max(0, entriesAdded - length);
    return { ...base, gap: missing > 0, missingEvents: missing };
  }
  if (lag !== null && !deletedAfterAppended) {
    const missing = Math.max(0, lag - length);
    return { ...base, gap: missing > 0, missingEvents: missing };
  }
  const firstAfterAppended = firstStreamId !== undefined && lastAppendedStreamId !== undefined && compareStreamIds(firstStreamId, lastAppendedStreamId) > 0;
  return { ...base, gap: deletedAfterAppended || firstAfterAppended, missingEvents: null };
}
