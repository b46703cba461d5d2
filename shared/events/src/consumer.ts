import type { Redis } from 'ioredis';
import { eventsStreamKey } from './publisher.ts';
import type { CloudEvent } from './envelope.ts';

export interface StreamEntry {
  /** Redis Stream entry id (e.g. `1732248111000-0`), monotonically increasing. */
  streamId: string;
  event: CloudEvent;
}

export interface EventConsumerOptions {
  /** A non-blocking connection is needed for reads that BLOCK: pass a dedicated one. */
  redis: Redis;
  /** Consumer group: one per consuming service (`auditor`, `notifier`, an outside audit consumer …). */
  group: string;
  /** This replica's name inside the group. */
  consumer: string;
  /** Handles one event; the entry is acknowledged only after it resolves. A throw leaves it pending for a retry. */
  handle: (entry: StreamEntry) => Promise<void>;
  /** Where a new group starts: `0` (the whole stream, default) or `$` (only new events). */
  startId?: string;
  /** Entries pending longer than this (a crashed consumer's) are claimed by XAUTOCLAIM. Default 30 s. */
  claimIdleMs?: number;
  batchSize?: number;
  blockMs?: number;
  onError?: (error: Error, entry?: StreamEntry) => void;
}

export interface EventConsumer {
  /** Reads, handles and acknowledges until stop() is called. */
  start(): void;
  /** Processes what is available now (pending claims first) and returns how many entries were handled. */
  drainOnce(): Promise<number>;
  stop(): Promise<void>;
}

function toEntry(raw: [string, string[]]): StreamEntry | undefined {
  const [streamId, fields] = raw;
  const index = fields.indexOf('event');
  if (index < 0) return undefined;
  return { streamId, event: JSON.parse(fields[index + 1]) as CloudEvent };
}

/**
 * A consumer-group reader of the events stream: each group sees every event once, acknowledges after handling,
 * and takes over entries a crashed member left pending (XAUTOCLAIM), so a restarted consumer loses nothing.
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { redis, group, consumer } = options;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const batchSize = options.batchSize ?? 100;
  const blockMs = options.blockMs ?? 1_000;
  let running = false;
  let loop: Promise<void> | undefined;
  let groupReady = false;

  async function ensureGroup() {
    if (groupReady) return;
    try {
      await redis.xgroup('CREATE', eventsStreamKey, group, options.startId ?? '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    groupReady = true;
  }

  async function handleAll(raw: Array<[string, string[]]>): Promise<number> {
    let handled = 0;
    for (const item of raw) {
      const entry = toEntry(item);
      if (!entry) {
        await redis.xack(eventsStreamKey, group, item[0]);
        continue;
      }
      try {
        await options.handle(entry);
        await redis.xack(eventsStreamKey, group, entry.streamId);
        handled++;
      } catch (error) {
        options.onError?.(error as Error, entry);
        // Stop at the first failure so order is kept; the entry stays pending and is retried.
        break;
      }
    }
    return handled;
  }

  async function claimPending(): Promise<number> {
    const [, claimed] = (await redis.xautoclaim(eventsStreamKey, group, consumer, claimIdleMs, '0-0', 'COUNT', batchSize)) as [string, Array<[string, string[]] | null>];
    return handleAll(claimed.filter((entry): entry is [string, string[]] => entry !== null));
  }

  async function readOwnPending(): Promise<number> {
    const result = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', eventsStreamKey, '0')) as Array<[string, Array<[string, string[]]>]> | null;
    return handleAll(result?.[0]?.[1] ?? []);
  }

  async function readNew(block: boolean): Promise<number> {
    const args: Array<string | number> = ['GROUP', group, consumer, 'COUNT', batchSize];
    if (block) args.push('BLOCK', blockMs);
    args.push('STREAMS', eventsStreamKey, '>');
    const result = (await (redis.xreadgroup as (...a: Array<string | number>) => Promise<unknown>)(...args)) as Array<[string, Array<[string, string[]]>]> | null;
    return handleAll(result?.[0]?.[1] ?? []);
  }

  async function drainOnce(): Promise<number> {
    await ensureGroup();
    let total = (await readOwnPending()) + (await claimPending());
    for (;;) {
      const handled = await readNew(false);
      total += handled;
      if (handled < 1) return total;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        let lastClaim = 0;
        while (running) {
          try {
            await ensureGroup();
            if (Date.now() - lastClaim > Math.min(claimIdleMs, 5_000)) {
              lastClaim = Date.now();
              await readOwnPending();
              await claimPending();
            }
            await readNew(true);
          } catch (error) {
            if (!running) break;
            // Redis flushed or replaced: the group is gone; create it again rather than fail forever.
            if (String((error as Error).message).includes('NOGROUP')) groupReady = false;
            options.onError?.(error as Error);
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      })();
    },
    drainOnce,
    async stop() {
      running = false;
      await loop;
    },
  };
}
