import type { Redis } from 'ioredis';
import { readAllEvents, type CloudEvent } from '@tidewater/events';
import { waitFor } from '../../harness/src/index.ts';

/** Events of one type, optionally for one app and revision, oldest first. */
export async function eventsOf(redis: Redis, type: string, filter: { app?: string; revision?: string } = {}): Promise<CloudEvent[]> {
  return (await readAllEvents(redis, 1_000_000)).filter((event) => event.type === type
    && (filter.app === undefined || event.data.app === filter.app)
    && (filter.revision === undefined || event.data.revision === filter.revision));
}

/** Waits until at least `count` such events are in the stream; returns them. */
export function waitForEvents(redis: Redis, type: string, filter: { app?: string; revision?: string }, count = 1, timeoutMs = 60_000): Promise<CloudEvent[]> {
  return waitFor(`${count} ${type} event(s) for ${JSON.stringify(filter)}`, async () => {
    const events = await eventsOf(redis, type, filter);
    return events.length >= count ? events : undefined;
  }, { timeoutMs, intervalMs: 100 });
}

/** Prints a measurement in one greppable line (`MEASURE <fault> <name>=<ms>`), for docs/reliability.md. */
export function measured(fault: string, values: Record<string, number>): void {
  console.log(`MEASURE ${fault} ${Object.entries(values).map(([key, value]) => `${key}=${Math.round(value)}`).join(' ')}`);
}
