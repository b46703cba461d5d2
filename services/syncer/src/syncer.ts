import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { queueNames } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { ClusterRegistry } from './clusters/cluster-registry.ts';
import { processSyncJob, type SyncJobOutcome } from './sync/process-sync-job.ts';

export interface SyncerDeps {
  config: () => TidewaterConfig;
  /** A worker connection (`maxRetriesPerRequest: null`); the caller closes it. */
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  clusters: ClusterRegistry;
  /** Syncs run at once by this worker, each of a different application (default 4). */
  concurrency?: number;
  /** Objects applied at once within a wave (default 16). */
  applyConcurrency?: number;
  /** BullMQ key prefix (tests use a fresh one). */
  prefix?: string;
}

export interface Syncer {
  worker: Worker;
  /** Lets running syncs finish, then stops taking jobs. */
  close(): Promise<void>;
}

/** The sync queue's worker. */
export function createSyncer(deps: SyncerDeps): Syncer {
  const worker = new Worker<unknown, SyncJobOutcome>(
    queueNames.sync,
    (job, token) => processSyncJob(job, deps, token),
    {
      connection: deps.redis,
      concurrency: deps.concurrency ?? 4,
      ...(deps.prefix ? { prefix: deps.prefix } : {}),
    },
  );
  worker.on('error', (error) => deps.logger.error({ err: error }, 'sync worker error'));
  return {
    worker,
    async close() {
      await worker.close();
    },
  };
}
