import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ControlJob, createRedisConnection, jobCatalogue, queueNames } from '@tidewater/queues';
import { conflict, timedOut, unavailable } from '../errors/api-errors.ts';

/** Control job ids: `control:<kind>-<app>:<random>` (BullMQ accepts a ':' in a custom id only as exactly 3 parts). */
export function controlJobId(kind: ControlJob['kind'], app: string): string {
  return `control:${kind}-${app}:${randomBytes(6).toString('hex')}`;
}

/** How long the API waits for each kind of request it awaits (sync and rollback are followed, not awaited). */
export const defaultControlTimeoutMs: Record<ControlJob['kind'], number> = {
  diff: 60_000, rollback: 5 * 60_000, resume: 60_000, sync: 5 * 60_000, terminate: 60_000, 'confirm-prune': 60_000,
  'resource-tree': 15_000, events: 15_000,
};

/** The state of a queued operator request, as `status.operationState` shows it. */
export interface ControlOperation {
  jobId: string;
  kind: string;
  phase: 'Running' | 'Succeeded' | 'Failed' | 'Error';
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  result?: unknown;
}

export interface ControlClient {
  /** Queues a request and returns at once (sync, rollback): follow it with `operation(jobId)`. */
  enqueue(job: ControlJob): Promise<string>;
  /** Queues a request and awaits the syncer's answer (diff, terminate, resume). */
  request(job: ControlJob, timeoutMs?: number): Promise<unknown>;
  operation(jobId: string): Promise<ControlOperation | undefined>;
  close(): Promise<void>;
}

/**
 * The API's side of the control queue: it asks the syncer, which holds the cluster credentials. A request fails at
 * once with 503 when no worker serves the queue; a refusal by the syncer is a 409 carrying its message.
 */
export function createControlClient(deps: { redisUrl: string; connection: Redis; prefix?: string }): ControlClient {
  const prefix = deps.prefix ? { prefix: deps.prefix } : {};
  const queue = new Queue(queueNames.control, { connection: deps.connection, ...prefix });
  let events: { queueEvents: QueueEvents; connection: Redis } | undefined;

  async function queueEventsReady(): Promise<QueueEvents> {
    if (!events) {
      const connection = createRedisConnection(deps.redisUrl, 'worker');
      connection.on('error', () => undefined); // surfaced by the request that waits
      events = { queueEvents: new QueueEvents(queueNames.control, { connection, ...prefix }), connection };
    }
    await events.queueEvents.waitUntilReady();
    return events.queueEvents;
  }

  async function add(job: ControlJob): Promise<Job> {
    const data = ControlJob.parse(job);
    let workers = 1;
    try {
      workers = await queue.getWorkersCount();
    } catch {
      // CLIENT LIST may be refused by a managed Redis: assume a worker and let the deadline speak.
    }
    if (workers === 0) throw unavailable(`no syncer is running: nothing serves the ${queueNames.control} queue (start \`tide all\` or the syncer)`);
    return queue.add(data.kind, data, {
      jobId: controlJobId(data.kind, data.app), attempts: jobCatalogue.control.attempts,
      removeOnComplete: { age: 24 * 3_600 }, removeOnFail: { age: 24 * 3_600 },
    });
  }

  return {
    async enqueue(job) {
      return (await add(job)).id as string;
    },
    async request(job, timeoutMs) {
      const queueEvents = await queueEventsReady();
      const added = await add(job);
      const deadline = timeoutMs ?? defaultControlTimeoutMs[job.kind];
      try {
        return await added.waitUntilFinished(queueEvents, deadline);
      } catch (error) {
        const message = (error as Error).message;
        if (!/timed out before finishing/.test(message)) throw conflict(message);
        const state = await added.getState().catch(() => 'unknown');
        if (state === 'waiting' || state === 'prioritized' || state === 'delayed') {
          await added.remove().catch(() => undefined);
          throw unavailable(`no syncer picked up the ${job.kind} request for ${job.app} within ${Math.round(deadline / 1000)} s; the request was withdrawn`);
        }
        throw timedOut(`the ${job.kind} request for ${job.app} is still running after ${Math.round(deadline / 1000)} s (operation ${added.id})`);
      }
    },
    async operation(jobId) {
      const job = await queue.getJob(jobId);
      if (!job) return undefined;
      const state = await job.getState();
      const phase = state === 'completed' ? 'Succeeded' : state === 'failed' ? 'Failed' : state === 'unknown' ? 'Error' : 'Running';
      return {
        jobId, kind: job.name, phase,
        ...(job.failedReason ? { message: job.failedReason } : {}),
        ...(job.processedOn ? { startedAt: new Date(job.processedOn).toISOString() } : {}),
        ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
        ...(job.returnvalue !== undefined && job.returnvalue !== null ? { result: job.returnvalue } : {}),
      };
    },
    async close() {
      await queue.close();
      if (events) {
        await events.queueEvents.close().catch(() => undefined);
        events.connection.disconnect();
      }
    },
  };
}
