import type { Redis } from 'ioredis';
import { makeCloudEvent, type CloudEvent, type EventData, type NewEvent } from './envelope.ts';

export const eventsStreamKey = 'tidewater:events';

export interface EventPublisher {
  publish<D extends EventData>(event: NewEvent<D>): Promise<CloudEvent<D>>;
}

/**
 * Appends CloudEvents to the one Redis Stream every consumer reads through its own consumer group.
 * The stream is trimmed approximately at `maxLength` (default `TIDEWATER_EVENTS_MAXLEN`, else 1,000,000 entries).
 */
export function createEventPublisher(deps: {
  redis: Redis; source: string; maxLength?: number;
  /** Called with each published event (metrics count events, so they agree with the audit log). */
  onPublished?: (event: CloudEvent) => void;
}): EventPublisher {
  // Retention: TIDEWATER_EVENTS_MAXLEN; it must stay above the slowest consumer's lag (the auditor reports a gap).
  const maxLength = deps.maxLength ?? (Number(process.env.TIDEWATER_EVENTS_MAXLEN) || 1_000_000);
  return {
    async publish(event) {
      const cloudEvent = makeCloudEvent(deps.source, event);
      await deps.redis.xadd(eventsStreamKey, 'MAXLEN', '~', String(maxLength), '*', 'type', cloudEvent.type, 'event', JSON.stringify(cloudEvent));
      deps.onPublished?.(cloudEvent);
      return cloudEvent;
    },
  };
}

/** Reads the whole stream (tests, `tide events`): oldest first. */
export async function readAllEvents(redis: Redis, count = 10_000): Promise<CloudEvent[]> {
  const entries = await redis.xrange(eventsStreamKey, '-', '+', 'COUNT', count);
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]) as CloudEvent);
}
