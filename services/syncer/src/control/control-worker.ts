import { Queue, Worker } from 'bullmq';
import { queueNames } from '@tidewater/queues';
import { diffRequestHandler } from '../diff/handle-diff-job.ts';
import { processControlJob, type ControlProcessorDeps, type ControlResult } from './process-control-job.ts';

/** The processor's deps (a worker connection as `redis`, which the caller closes) less the queues it builds. */
export interface ControlWorkerDeps extends Omit<ControlProcessorDeps, 'queues'> {
  /** Requests handled at once (default 4; a rollback holds its slot until its sync finished). */
  concurrency?: number;
  /** BullMQ key prefix of the control queue (tests); render and sync queues keep the producers' default. */
  prefix?: string;
}

export interface ControlWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** The control queue's worker (diff, rollback, resume, sync, terminate): it runs in the syncer because it acts on the syncer's state. */
export function createControlWorker(deps: ControlWorkerDeps): ControlWorker {
  const queues = {
    render: new Queue(queueNames.render, { connection: deps.redis }),
    sync: new Queue(queueNames.sync, { connection: deps.redis }),
  };
  const logger = deps.logger.child({ worker: 'control' });
  // Kind 'diff' goes to the diff engine (services/syncer/src/diff/), unless the caller brings its own.
  const diff = deps.diff ?? diffRequestHandler({ config: deps.config, redis: deps.redis, clusters: deps.clusters });
  const processorDeps: ControlProcessorDeps = {
    config: deps.config, redis: deps.redis, producers: deps.producers, events: deps.events, logger, clusters: deps.clusters, queues, diff,
    ...(deps.rollbackTimeoutMs ? { rollbackTimeoutMs: deps.rollbackTimeoutMs } : {}),
    ...(deps.syncTimeoutMs ? { syncTimeoutMs: deps.syncTimeoutMs } : {}),
    ...(deps.resolveRevision ? { resolveRevision: deps.resolveRevision } : {}),
  };
  const worker = new Worker<unknown, ControlResult>(
    queueNames.control,
    (job) => processControlJob(job, processorDeps),
    { connection: deps.redis, concurrency: deps.concurrency ?? 4, ...(deps.prefix ? { prefix: deps.prefix } : {}) },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'control worker error'));
  return {
    worker,
    async close() {
      await worker.close();
      await Promise.all([queues.render.close(), queues.sync.close()]);
    },
  };
}
