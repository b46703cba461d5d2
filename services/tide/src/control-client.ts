import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { ControlJob, createRedisConnection, jobCatalogue, queueNames } from '@tidewater/queues';

/** Control job ids: `control:<kind>-<app>:<random>` (BullMQ accepts a ':' in a custom id only as exactly 3 parts). */
export function controlJobId(kind: ControlJob['kind'], app: string): string {
  return `control:${kind}-${app}:${randomBytes(6).toString('hex')}`;
}

/** How long `tide` waits for each kind of request by default (a rollback waits for its sync). */
export const defaultControlTimeoutMs: Record<ControlJob['kind'], number> = {
  diff: 60_000,
  rollback: 5 * 60_000,
  resume: 60_000,
  sync: 5 * 60_000,
  terminate: 60_000,
  'confirm-prune': 60_000,
  'resource-tree': 30_000,
  events: 30_000,
};

export interface ControlRequestOptions {
  redisUrl: string;
  timeoutMs?: number;
  /** BullMQ prefix of the control queue (tests). */
  prefix?: string;
}

/** A control request that could not be answered: no syncer, a timeout, or the syncer's refusal (its message). */
export class ControlRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlRequestError';
  }
}

/**
 * Queues an operator request on the control queue and awaits the syncer's answer. Fails at once when no worker
 * listens on the queue, and removes a request nobody picked up before the deadline.
 */
export async function requestControl(job: ControlJob, options: ControlRequestOptions): Promise<unknown> {
  const data = ControlJob.parse(job);
  const timeoutMs = options.timeoutMs ?? defaultControlTimeoutMs[data.kind];
  const prefix = options.prefix ? { prefix: options.prefix } : {};
  const connection = createRedisConnection(options.redisUrl, 'worker', { maxRetriesPerRequest: 3 });
  const eventsConnection = createRedisConnection(options.redisUrl, 'worker');
  connection.on('error', () => undefined); // surfaced by the first command instead
  eventsConnection.on('error', () => undefined);
  const queue = new Queue(queueNames.control, { connection, ...prefix });
  const queueEvents = new QueueEvents(queueNames.control, { connection: eventsConnection, ...prefix });
  try {
    await queue.waitUntilReady();
    if (await workerCount(queue) === 0) {
      throw new ControlRequestError(`no syncer is running: nothing serves the ${queueNames.control} queue on this Redis (start \`tide all\` or the syncer)`);
    }
    await queueEvents.waitUntilReady();
    const added = await queue.add(data.kind, data, {
      jobId: controlJobId(data.kind, data.app), attempts: jobCatalogue.control.attempts,
      removeOnComplete: { age: 3_600 }, removeOnFail: { age: 24 * 3_600 },
    });
    try {
      return await added.waitUntilFinished(queueEvents, timeoutMs);
    } catch (error) {
      const message = (error as Error).message;
      if (!/timed out before finishing/.test(message)) throw new ControlRequestError(message);
      const state = await added.getState().catch(() => 'unknown');
      if (state === 'waiting' || state === 'prioritized' || state === 'delayed') {
        await added.remove().catch(() => undefined);
        throw new ControlRequestError(`no syncer picked up the ${data.kind} request for ${data.app} within ${Math.round(timeoutMs / 1000)} s; the request was withdrawn`);
      }
      throw new ControlRequestError(`the ${data.kind} request for ${data.app} is still running after ${Math.round(timeoutMs / 1000)} s (job ${added.id}); follow it with \`tide status ${data.app}\` and \`tide events\``);
    }
  } finally {
    await queueEvents.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    connection.disconnect();
    eventsConnection.disconnect();
  }
}

// CLIENT LIST may be refused by a managed Redis: then assume a worker and let the deadline speak.
async function workerCount(queue: Queue): Promise<number> {
  try {
    return await queue.getWorkersCount();
  } catch {
    return 1;
  }
}
