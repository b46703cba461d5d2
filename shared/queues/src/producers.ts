import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueNames } from './names.ts';
import { jobCatalogue, jobIds, RenderJob, SyncJob } from './payloads.ts';
import { redisKeys } from './keys.ts';

export interface DesiredRevision {
  revision: string;
  at: string;
}

/** Completed jobs are kept an hour so a redelivered webhook with the same job id is a no-op, not a rerun. */
const keepFinished: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 3_600, count: 5_000 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 5_000 },
};

/**
 * Work a periodic reconcile finds waits behind everything else: BullMQ runs jobs without a priority before any
 * prioritized job, so a webhook's (or an operator's) render or sync never queues behind a reconcile backlog.
 */
export const reconcilePriority = 100;
export const priorityOf = (triggerKind: string): Pick<JobsOptions, 'priority'> => (triggerKind === 'reconcile' ? { priority: reconcilePriority } : {});

// SET KEYS[1] = ARGV[1] unless it holds a desired revision recorded after ARGV[2] (ISO timestamps compare as strings).
const setUnlessNewerScript = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and type(decoded.at) == 'string' and decoded.at > ARGV[2] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

export interface Producers {
  /** Marks `revision` as the newest wanted for the app, then queues its render (idempotent per app and commit). */
  requestRender(job: RenderJob): Promise<{ jobId: string; added: boolean }>;
  requestSync(job: SyncJob): Promise<{ jobId: string; added: boolean }>;
  close(): Promise<void>;
}

/** Queue producers shared by every service that asks for work; `connection` should be a producer connection. */
export function createProducers(deps: { connection: Redis }): Producers {
  const renderQueue = new Queue(queueNames.render, { connection: deps.connection });
  const syncQueue = new Queue(queueNames.sync, { connection: deps.connection });

  async function add(
    queue: Queue, name: string, jobId: string, data: { trigger: { kind: string } }, retry: { attempts: number; backoffMs: number },
    sameWork: (existing: Record<string, unknown>) => boolean = () => true,
  ) {
    const options: JobsOptions = {
      jobId, attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffMs }, ...keepFinished, ...priorityOf(data.trigger.kind),
    };
    // One round trip in the common case: "does the job exist?" and the add go out together on this connection,
    // in that order (BullMQ ignores an add whose job id exists), so the answer tells whether the add was new work.
    const [existed] = await Promise.all([deps.connection.exists(queue.toKey(jobId)), queue.add(name, data, options)]);
    if (existed === 0) return { jobId, added: true };
    // The job was there already. A finished job stands in the way of a new request only while it did the same
    // work and did not fail: a failed one is retried on request, and a sync of a re-rendered bundle is new work.
    const existing = await queue.getJob(jobId);
    if (!existing) {
      // Removed between the check and now (retention): add again; BullMQ's job id keeps it one job.
      await queue.add(name, data, options);
      return { jobId, added: true };
    }
    const state = await existing.getState();
    const finished = state === 'completed' || state === 'failed';
    // A job that completed as superseded did not do its work (a newer revision was wanted at that moment, e.g. a
    // reconcile with a stale head): asked for again, it runs, or the app would stay behind until the job expires.
    const superseded = (existing.returnvalue as { superseded?: unknown } | null | undefined)?.superseded === true;
    if (!finished || (state === 'completed' && !superseded && sameWork(existing.data as Record<string, unknown>))) return { jobId, added: false };
    await existing.remove().catch(() => undefined);
    await queue.add(name, data, options);
    return { jobId, added: true };
  }

  return {
    async requestRender(job) {
      const data = RenderJob.parse(job);
      const desired: DesiredRevision = { revision: data.revision, at: new Date().toISOString() };
      // Sent before the job's add on the same connection, so Redis records the desired revision first (a renderer
      // that picks the job up at once must not find it superseded); awaited together: one round trip.
      // A reconcile saw its head at trigger.receivedAt: a desired revision recorded after that (a webhook's push
      // meanwhile) is newer than what it saw and stays; otherwise its stale head would supersede the push's work.
      const seenAt = data.trigger.kind === 'reconcile' ? data.trigger.receivedAt : undefined;
      const recordDesired = seenAt
        ? deps.connection.eval(setUnlessNewerScript, 1, redisKeys.desiredRevision(data.app), JSON.stringify(desired), seenAt)
        : deps.connection.set(redisKeys.desiredRevision(data.app), JSON.stringify(desired));
      const [, result] = await Promise.all([
        recordDesired,
        add(renderQueue, 'render', jobIds.render(data.app, data.revision), data, jobCatalogue.render,
          (existing) => existing.imageOverride === data.imageOverride),
      ]);
      return result;
    },
    async requestSync(job) {
      const data = SyncJob.parse(job);
      return add(syncQueue, 'sync', jobIds.sync(data.app, data.revision), data, jobCatalogue.sync,
        // An operator's sync request is new work even for a bundle synced before (a different operation id).
        (existing) => existing.bundleKey === data.bundleKey
          && (existing.operation as { id?: string } | undefined)?.id === data.operation?.id);
    },
    async close() {
      await Promise.all([renderQueue.close(), syncQueue.close()]);
    },
  };
}

/** The newest revision wanted for an app, or undefined when none was recorded. */
export async function readDesiredRevision(redis: Redis, app: string): Promise<DesiredRevision | undefined> {
  const raw = await redis.get(redisKeys.desiredRevision(app));
  return raw ? (JSON.parse(raw) as DesiredRevision) : undefined;
}
