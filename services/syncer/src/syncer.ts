import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { queueNames, type BundleSigningKey } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { ClusterRegistry } from './clusters/cluster-registry.ts';
import { processSyncJob, type SyncJobOutcome } from './sync/process-sync-job.ts';
import { createLiveState, type LiveState, type LiveStateDeps } from './live-state/live-state.ts';
import { createReconcileLoop, type ReconcileDeps, type ReconcileLoop } from './reconcile/reconcile-loop.ts';
import { createRetryTriggers, type RetryTriggers } from './retry/retry-triggers.ts';
import { retrySyncJobNow } from './retry/retry-job-now.ts';
import { createCascadeDeletion, type CascadeDeletion } from './deletion/cascade-deletion.ts';

export interface SyncerDeps {
  config: () => TidewaterConfig;
  /** A worker connection (`maxRetriesPerRequest: null`); the caller closes it. */
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  clusters: ClusterRegistry;
  /** The renderer's bundle key (TIDEWATER_BUNDLE_KEY): only bundles signed with it are applied or self-healed toward. */
  bundleSigningKey: BundleSigningKey;
  /** Syncs run at once by this worker, each of a different application (default 4). */
  concurrency?: number;
  /** Objects applied at once within a wave (default 16). */
  applyConcurrency?: number;
  /** BullMQ key prefix (tests use a fresh one). */
  prefix?: string;
  /**
   * Health, drift and self-heal from watches of the managed objects (default on; options tune it). Run it in one
   * syncer replica per deployment: every replica that runs it watches every cluster and heals on its own.
   */
  liveState?: boolean | Omit<LiveStateDeps, 'config' | 'redis' | 'events' | 'logger' | 'clusters' | 'bundleSigningKey'>;
  /** The periodic reconcile of branch heads (started when given; `tide all` passes producers and resolveHead). */
  reconcile?: Omit<ReconcileDeps, 'config' | 'redis' | 'events' | 'logger'>;
  /** Retry a sync that failed on a missing namespace or CRD as soon as it appears (default on). */
  promptRetries?: boolean;
  /** Delete the objects of an Application removed from the configuration when its finalizer asks (default on). */
  cascadeDeletion?: boolean;
}

export interface Syncer {
  worker: Worker;
  liveState?: LiveState;
  reconcile?: ReconcileLoop;
  retryTriggers?: RetryTriggers;
  cascadeDeletion?: CascadeDeletion;
  /** Lets running syncs finish, then stops taking jobs. */
  close(): Promise<void>;
}

/** The sync queue's worker. */
export function createSyncer(deps: SyncerDeps): Syncer {
  // --- live state and reconcile (services/syncer/src/live-state, reconcile) ---
  const liveState = deps.liveState === false ? undefined : createLiveState({
    config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, clusters: deps.clusters, bundleSigningKey: deps.bundleSigningKey,
    ...(typeof deps.liveState === 'object' ? deps.liveState : {}),
  });
  void liveState?.start().catch((error: unknown) => deps.logger.error({ reason: (error as Error).message }, 'live state failed to start'));
  const reconcile = deps.reconcile
    ? createReconcileLoop({ config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, ...deps.reconcile })
    : undefined;
  reconcile?.start();
  const onApplied = liveState ? async (record: { app: string }) => liveState.refreshApp(record.app) : undefined;
  // --- end live state and reconcile ---
  // --- cascade delete of removed applications (services/syncer/src/deletion) ---
  const cascadeDeletion = deps.cascadeDeletion === false ? undefined
    : createCascadeDeletion({ config: deps.config, redis: deps.redis, clusters: deps.clusters, events: deps.events, logger: deps.logger });
  cascadeDeletion?.start();
  // --- end cascade delete ---
  // --- retries (services/syncer/src/retry): prompt retry when a missing namespace or CRD appears ---
  const syncQueue = new Queue(queueNames.sync, { connection: deps.redis, ...(deps.prefix ? { prefix: deps.prefix } : {}) });
  const retryTriggers = deps.promptRetries === false ? undefined : createRetryTriggers({ clusters: deps.clusters, logger: deps.logger });
  const retryJobNow = (jobId: string) => retrySyncJobNow(syncQueue, jobId);
  // --- end retries ---
  const worker = new Worker<unknown, SyncJobOutcome>(
    queueNames.sync,
    (job, token) => processSyncJob(job, { ...deps, ...(onApplied ? { onApplied } : {}), ...(retryTriggers ? { retryTriggers, retryJobNow } : {}) }, token),
    {
      connection: deps.redis,
      concurrency: deps.concurrency ?? 4,
      ...(deps.prefix ? { prefix: deps.prefix } : {}),
    },
  );
  worker.on('error', (error) => deps.logger.error({ err: error }, 'sync worker error'));
  return {
    worker,
    ...(liveState ? { liveState } : {}),
    ...(reconcile ? { reconcile } : {}),
    ...(retryTriggers ? { retryTriggers } : {}),
    ...(cascadeDeletion ? { cascadeDeletion } : {}),
    async close() {
      await reconcile?.close();
      await cascadeDeletion?.close();
      await worker.close();
      await retryTriggers?.close();
      await syncQueue.close();
      await liveState?.close();
    },
  };
}
