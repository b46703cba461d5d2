import type { Redis } from 'ioredis';
import { eventsStreamKey, eventTypes, type EventPublisher, type StreamEntry } from '@tidewater/events';
import { withSpan, type Logger } from '@tidewater/telemetry';
import type { AuditLog } from '../log/audit-log.ts';
import { compareStreamIds } from '../log/audit-record.ts';
import { AuditStorageError } from '../log/storage-errors.ts';
import { checkRetention, type RetentionStatus } from './retention-check.ts';
import { entryFromStream } from './stream-entries.ts';

export const defaultAuditGroup = 'auditor';

export interface AuditConsumerOptions {
  /** A dedicated connection: reads BLOCK on it. */
  redis: Redis;
  log: AuditLog;
  logger: Logger;
  /** Publishes `dev.tidewater.audit.gap` (on another connection). */
  events?: EventPublisher;
  /** Consumer group on the events stream (default `auditor`). One auditor process per group. */
  group?: string;
  consumer?: string;
  /** Entries read (and appended with one datasync) per batch. Default 1000. */
  batchSize?: number;
  blockMs?: number;
  /** After the start-up takeover, entries another member left pending this long are claimed. Default 30 s. */
  claimIdleMs?: number;
  /** How often the stream's retention is compared with the log. Default 10 s. */
  retentionCheckIntervalMs?: number;
  onGap?: (status: RetentionStatus) => void;
}

export interface AuditConsumerStatus {
  gapsReported: number;
  lastRetention: RetentionStatus | undefined;
  lastError: string | undefined;
}

export interface AuditConsumer {
  /** Reads, appends and acknowledges until stop(). */
  start(): void;
  /** Appends everything available now (takeover of pending entries first); returns how many records were appended. */
  drainOnce(): Promise<number>;
  /** Compares the stream's retention with the log now, reporting a gap (once per trimmed range). */
  checkRetention(): Promise<RetentionStatus>;
  readonly status: AuditConsumerStatus;
  stop(): Promise<void>;
}

type RawEntry = [string, string[]];

/**
 * The auditor's reader of the events stream. Unlike the shared per-event consumer it works in batches: a batch
 * is appended with one write and one datasync and only then acknowledged with one XACK, so an acknowledged
 * event is always on disk. Redeliveries (a crash between datasync and XACK) are recognised by stream id and
 * not appended twice. At start it takes over every entry pending in the group (the previous auditor died):
 * the directory lock makes it the only writer.
 */
export function createAuditConsumer(options: AuditConsumerOptions): AuditConsumer {
  const { redis, log, logger } = options;
  const group = options.group ?? defaultAuditGroup;
  const consumer = options.consumer ?? 'auditor';
  const batchSize = options.batchSize ?? 1_000;
  const blockMs = options.blockMs ?? 1_000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const retentionCheckIntervalMs = options.retentionCheckIntervalMs ?? 10_000;
  const status: AuditConsumerStatus = { gapsReported: 0, lastRetention: undefined, lastError: undefined };
  let groupReady = false;
  let tookOver = false;
  let ownPendingMayExist = true;
  let lastClaim = 0;
  let lastRetentionCheck = 0;
  let reportedMissing = 0;
  let reportedFirstId: string | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  /** Since when the audit log cannot be written (reported once as audit.write-failed, then audit.write-recovered). */
  let writeFailingSince: number | undefined;

  function publishQuietly(type: string, data: Record<string, unknown>) {
    return options.events?.publish({ type, data }).catch((error: unknown) => {
      logger.warn({ reason: (error as Error).message, type }, 'audit event could not be published');
    });
  }

  async function ensureGroup() {
    if (groupReady) return;
    try {
      await redis.xgroup('CREATE', eventsStreamKey, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    groupReady = true;
  }

  /** Appends, then acknowledges every entry of the batch (new and redelivered alike). */
  async function appendAndAck(raw: readonly RawEntry[]): Promise<number> {
    if (raw.length === 0) return 0;
    // One CONSUMER span per batch: a batch holds events of many traces, so it continues none of them.
    return withSpan('audit append', { kind: 'consumer', attributes: { 'tidewater.audit.entries': raw.length } }, async (span) => {
      const entries: StreamEntry[] = raw.map(entryFromStream);
      const records = await log.append(entries);
      await redis.xack(eventsStreamKey, group, ...raw.map(([id]) => id));
      span.setAttribute('tidewater.audit.appended', records.length);
      if (records.length < entries.length) logger.debug({ redelivered: entries.length - records.length }, 'skipped entries already in the audit log');
      return records.length;
    });
  }

  /** XAUTOCLAIM over the whole pending list; entries deleted from the stream while pending are reported. */
  async function claim(minIdleMs: number): Promise<number> {
    let appended = 0;
    let cursor = '0-0';
    do {
      const reply = (await redis.xautoclaim(eventsStreamKey, group, consumer, minIdleMs, cursor, 'COUNT', batchSize)) as [string, Array<RawEntry | null>, string[]?];
      cursor = reply[0];
      appended += await appendAndAck(reply[1].filter((entry): entry is RawEntry => entry !== null));
      const deleted = (reply[2] ?? []).filter((id) => compareStreamIds(id, log.lastStreamId) > 0);
      if (deleted.length > 0) {
        logger.error({ group, deleted: deleted.length, firstDeleted: deleted[0] }, 'pending audit events were deleted from the stream before they were appended');
        status.gapsReported++;
      }
    } while (cursor !== '0-0');
    return appended;
  }

  async function readOwnPending(): Promise<number> {
    let appended = 0;
    for (;;) {
      const result = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', eventsStreamKey, '0')) as Array<[string, RawEntry[]]> | null;
      const entries = result?.[0]?.[1] ?? [];
      if (entries.length === 0) {
        ownPendingMayExist = false;
        return appended;
      }
      appended += await appendAndAck(entries);
    }
  }

  async function readNew(block: boolean): Promise<{ read: number; appended: number }> {
    const args: Array<string | number> = ['GROUP', group, consumer, 'COUNT', batchSize];
    if (block) args.push('BLOCK', blockMs);
    args.push('STREAMS', eventsStreamKey, '>');
    const result = (await (redis.xreadgroup as (...a: Array<string | number>) => Promise<unknown>)(...args)) as Array<[string, RawEntry[]]> | null;
    const entries = result?.[0]?.[1] ?? [];
    return { read: entries.length, appended: await appendAndAck(entries) };
  }

  async function catchUpPending(): Promise<number> {
    await ensureGroup();
    let appended = 0;
    if (!tookOver) {
      appended += await claim(0);
      tookOver = true;
      lastClaim = Date.now();
    } else if (Date.now() - lastClaim >= claimIdleMs) {
      lastClaim = Date.now();
      appended += await claim(claimIdleMs);
    }
    if (ownPendingMayExist) appended += await readOwnPending();
    return appended;
  }

  async function checkNow(): Promise<RetentionStatus> {
    lastRetentionCheck = Date.now();
    const retention = await checkRetention(redis, group, log.lastStreamId);
    status.lastRetention = retention;
    if (!retention.gap) return retention;
    // Report each loss once: Redis keeps counting it (the group's lag stays ahead by what was lost).
    const newlyMissing = retention.missingEvents === null ? null : retention.missingEvents - reportedMissing;
    const isNew = newlyMissing === null ? retention.firstStreamId !== reportedFirstId : newlyMissing > 0;
    if (!isNew) return retention;
    if (retention.missingEvents !== null) reportedMissing = retention.missingEvents;
    reportedFirstId = retention.firstStreamId;
    status.gapsReported++;
    const details = {
      group,
      missingEvents: newlyMissing,
      lastAppendedStreamId: retention.lastAppendedStreamId ?? null,
      firstStreamId: retention.firstStreamId ?? null,
    };
    logger.error(details, 'events were trimmed from the stream before the auditor appended them: the audit log has a gap; stream retention must exceed the auditor lag');
    options.onGap?.(retention);
    await options.events?.publish({ type: eventTypes.auditGap, data: details }).catch((error: unknown) => {
      logger.warn({ reason: (error as Error).message }, 'audit gap event could not be published');
    });
    return retention;
  }

  async function maybeCheckRetention() {
    if (Date.now() - lastRetentionCheck >= retentionCheckIntervalMs) await checkNow();
  }

  return {
    status,
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        let failures = 0;
        while (running) {
          try {
            await catchUpPending();
            await maybeCheckRetention();
            await readNew(true);
            failures = 0;
            status.lastError = undefined;
            if (writeFailingSince !== undefined) {
              const failedForMs = Date.now() - writeFailingSince;
              writeFailingSince = undefined;
              logger.info({ failedForMs }, 'audit log written again');
              await publishQuietly(eventTypes.auditWriteRecovered, { group, failedForMs });
            }
          } catch (error) {
            if (!running) break;
            failures++;
            ownPendingMayExist = true; // a failed batch stays pending in our name: read it again first
            // Redis flushed or replaced: the group is gone; create it again (the log skips what it already holds).
            if (String((error as Error).message).includes('NOGROUP')) groupReady = false;
            status.lastError = (error as Error).message;
            logger.error({ reason: (error as Error).message, failures }, 'audit append failed; retrying');
            if (error instanceof AuditStorageError && writeFailingSince === undefined) {
              writeFailingSince = Date.now();
              await publishQuietly(eventTypes.auditWriteFailed, { group, reason: error.message, ...(error.code ? { code: error.code } : {}) });
            }
            await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** Math.min(failures, 7))));
          }
        }
      })();
    },
    async drainOnce() {
      try {
        let appended = await catchUpPending();
        await checkNow();
        for (;;) {
          const { read, appended: added } = await readNew(false);
          appended += added;
          if (read === 0) break;
        }
        await checkNow();
        return appended;
      } catch (error) {
        ownPendingMayExist = true;
        throw error;
      }
    },
    checkRetention: checkNow,
    async stop() {
      running = false;
      await loop;
    },
  };
}
