import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { readAllEvents, type CloudEvent } from '@tidewater/events';
import { queueNames, redisKeys, type SyncResult } from '@tidewater/queues';
import { waitFor } from '../harness/src/index.ts';

/** Waits until the syncer recorded a finished sync of `app` at `revision`, and returns it. */
export async function waitForSync(redis: Redis, app: string, revision: string, timeoutMs = 60_000): Promise<SyncResult> {
  return waitFor(`${app} to sync ${revision.slice(0, 12)}`, async () => {
    const raw = await redis.get(redisKeys.syncStatus(app));
    const result = raw ? (JSON.parse(raw) as SyncResult) : undefined;
    return result?.revision === revision && result.phase !== 'Superseded' ? result : undefined;
  }, { timeoutMs, intervalMs: 50 });
}

/** Events of one type (optionally for one app and revision), oldest first. */
export async function eventsOf(redis: Redis, type: string, filter: { app?: string; revision?: string } = {}): Promise<CloudEvent[]> {
  return (await readAllEvents(redis, 100_000)).filter((event) => event.type === type
    && (filter.app === undefined || event.data.app === filter.app)
    && (filter.revision === undefined || event.data.revision === filter.revision));
}

/** Ids of every job ever added to a queue that is still kept (waiting, active, completed, failed, delayed). */
export async function jobIdsIn(redisUrl: string, queue: keyof typeof queueNames): Promise<string[]> {
  const q = new Queue(queueNames[queue], { connection: { url: redisUrl } });
  const jobs = await q.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children']);
  await q.close();
  return jobs.map((job) => job.id ?? '').filter(Boolean);
}
