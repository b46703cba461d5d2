import type { Redis } from 'ioredis';
import { eventsStreamKey, type CloudEvent } from '@tidewater/events';
import { createRedisConnection } from '@tidewater/queues';

export interface StreamedEvent {
  streamId: string;
  event: CloudEvent;
}

/** One reader of the events stream shared by every open SSE connection of this API process. */
export interface EventFanout {
  /** Calls `listener` with each event appended from now on; returns the unsubscribe function. */
  subscribe(listener: (entry: StreamedEvent) => void): () => void;
  close(): Promise<void>;
}

/** Parses a stream entry's `event` field; entries that are not CloudEvents JSON are skipped. */
export function streamEntryOf(id: string, fields: string[]): StreamedEvent | undefined {
  const index = fields.indexOf('event');
  if (index < 0) return undefined;
  try {
    const event = JSON.parse(fields[index + 1]) as unknown;
    if (typeof event !== 'object' || event === null || typeof (event as CloudEvent).type !== 'string') return undefined;
    const data = (event as CloudEvent).data;
    return { streamId: id, event: { ...(event as CloudEvent), data: typeof data === 'object' && data !== null ? data : {} } };
  } catch {
    return undefined;
  }
}

/** XREAD BLOCK on its own connection, started with the first subscriber and stopped with the last. */
export function createEventFanout(deps: { redisUrl: string; blockMs?: number }): EventFanout {
  const listeners = new Set<(entry: StreamedEvent) => void>();
  let reader: Redis | undefined;
  let loop: Promise<void> | undefined;

  async function run(connection: Redis) {
    let lastId = '$';
    while (listeners.size > 0 && reader === connection) {
      try {
        const result = (await connection.xread('COUNT', 500, 'BLOCK', deps.blockMs ?? 1_000, 'STREAMS', eventsStreamKey, lastId)) as Array<[string, Array<[string, string[]]>]> | null;
        for (const [id, fields] of result?.[0]?.[1] ?? []) {
          lastId = id;
          const entry = streamEntryOf(id, fields);
          if (entry) for (const listener of listeners) listener(entry);
        }
      } catch {
        if (reader !== connection) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async function stop() {
    const connection = reader;
    reader = undefined;
    connection?.disconnect();
    await loop?.catch(() => undefined);
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!reader) {
        reader = createRedisConnection(deps.redisUrl, 'worker');
        reader.on('error', () => undefined);
        loop = run(reader);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) void stop();
      };
    },
    close: stop,
  };
}
