import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { queueNames, type BundleSigningKey } from '@tidewater/queues';
import { setSyncerLeader, type Logger } from '@tidewater/telemetry';
import type { ClusterRegistry } from './clusters/cluster-registry.ts';
import { processSyncJob, type SyncJobOutcome } from './sync/process-sync-job.ts';
import { createLiveState, type LiveState, type LiveStateDeps } from './live-state/live-state.ts';
import { createReconcileLoop, type ReconcileDeps, type ReconcileLoop } from './reconcile/reconcile-loop.ts';
import { createRetryTriggers, type RetryTriggers } from './retry/retry-triggers.ts';
import { retrySyncJobNow } from './retry/retry-job-now.ts';
import { createCascadeDeletion, type CascadeDeletion } from './deletion/cascade-deletion.ts';
import { createLeaderElection, type LeaderElection, type LeaderElectionDeps } from './leader/leader-election.ts';

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
   * Health, drift and self-heal from watches of the managed objects (default on; options tune it). With several
   * replicas, turn `leaderElection` on so only the leader runs it: every replica that runs it watches every cluster
   * and heals on its own.
   */
  liveState?: boolean | Omit<LiveStateDeps, 'config' | 'redis' | 'events' | 'logger' | 'clusters' | 'bundleSigningKey'>;
  /** The periodic reconcile of branch heads (started when given; `tide all` passes producers and resolveHead). */
  reconcile?: Omit<ReconcileDeps, 'config' | 'redis' | 'events' | 'logger'>;
  /** Retry a sync that failed on a missing namespace or CRD as soon as it appears (default on). */
  promptRetries?: boolean;
  /** Delete the objects of an Application removed from the configuration when its finalizer asks (default on). */
  cascadeDeletion?: boolean;
  /**
   * Run the live state (watches, drift, self-heal) only while this replica is the elected leader (a Redis key with a
   * fencing token, leader/leader-election.ts); sync jobs run in every replica. Off by default for one embedded
   * syncer; the syncer service (main.ts) turns it on.
   */
  leaderElection?: boolean | Pick<LeaderElectionDeps, 'ttlMs' | 'retryMs' | 'identity'>;
  /**
   * BullMQ job lock of a running sync (default 8 s, checked for stalls every half of it): a killed replica's sync
   * is handed to another replica within about this long plus the application lock's TTL.
   */
  jobLockMs?: number;
}

export interface Syncer {
  worker: Worker;
  /** The live state while this replica runs it (always, or while it leads with `leaderElection`). */
  readonly liveState?: LiveState;
  leaderElection?: LeaderElection;
  reconcile?: ReconcileLoop;
  retryTriggers?: RetryTriggers;
  cascadeDeletion?: CascadeDeletion;
  /** Lets running syncs finish, then stops taking jobs. */
  close(): Promise<void>;
}

/** Every replica publishes here when it applied an application's bundle; the leader refreshes that app's live state. */
export const appliedChannel = 'tidewater:syncer:applied';

/** The sync queue's worker. */
export function createSyncer(deps: SyncerDeps): Syncer {
  // --- live state and reconcile (services/syncer/src/live-state, reconcile) ---
  const liveStateDeps = (extra: Partial<LiveStateDeps> = {}): LiveStateDeps => ({
    config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, clusters: deps.clusters, bundleSigningKey: deps.bundleSigningKey,
    ...(typeof deps.liveState === 'object' ? deps.liveState : {}), ...extra,
  });
  const startLiveState = (created: LiveState) => {
    void created.start().catch((error: unknown) => deps.logger.error({ reason: (error as Error).message }, 'live state failed to start'));
    return created;
  };
  let liveState: LiveState | undefined;
  let leaderElection: LeaderElection | undefined;
  if (deps.liveState !== false && deps.leaderElection) {
    // --- one leader for live state (services/syncer/src/leader) ---
    leaderElection = createLeaderElection({
      redis: deps.redis, logger: deps.logger, ...(typeof deps.leaderElection === 'object' ? deps.leaderElection : {}),
      onElected: () => {
        setSyncerLeader(true);
        liveState = startLiveState(createLiveState(liveStateDeps({ mayHeal: () => leaderElection!.stillLeads() })));
      },
      async onDeposed() {
        setSyncerLeader(false);
        const stopping = liveState;
        liveState = undefined;
        await stopping?.close();
      },
    });
    setSyncerLeader(false);
    void leaderElection.start().catch((error: unknown) => deps.logger.error({ reason: (error as Error).message }, 'leader election failed to start'));
  } else if (deps.liveState !== false) {
    liveState = startLiveState(createLiveState(liveStateDeps()));
  }
  const reconcile = deps.reconcile
    ? createReconcileLoop({ config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, ...deps.reconcile })
    : undefined;
  reconcile?.start();
  // With a leader, another replica's sync is announced on appliedChannel so the leader refreshes at once (not at its rescan).
  const appliedListener = leaderElection ? deps.redis.duplicate() : undefined;
  if (appliedListener) {
    appliedListener.on('error', (error) => deps.logger.warn({ reason: error.message }, 'redis subscriber connection error'));
    appliedListener.on('message', (_channel: string, app: string) => void liveState?.refreshApp(app));
    void appliedListener.subscribe(appliedChannel).catch((error: unknown) => deps.logger.warn({ reason: (error as Error).message }, 'cannot subscribe to applied syncs'));
  }
  const onApplied = deps.liveState === false ? undefined : async (record: { app: string }) => {
    if (leaderElection) await deps.redis.publish(appliedChannel, record.app);
    else await liveState?.refreshApp(record.app);
  };
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
      // A killed replica's running sync goes back to the queue within about jobLockMs (BullMQ's default: 30 s + 30 s).
      lockDuration: deps.jobLockMs ?? 8_000,
      stalledInterval: Math.max(1_000, Math.floor((deps.jobLockMs ?? 8_000) / 2)),
      maxStalledCount: 10,
      ...(deps.prefix ? { prefix: deps.prefix } : {}),
    },
  );
  worker.on('error', (error) => deps.logger.error({ err: error }, 'sync worker error'));
  return {
    worker,
    get liveState() { return liveState; },
    ...(leaderElection ? { leaderElection } : {}),
    ...(reconcile ? { reconcile } : {}),
    ...(retryTriggers ? { retryTriggers } : {}),
    ...(cascadeDeletion ? { cascadeDeletion } : {}),
    async close() {
      await reconcile?.close();
      await cascadeDeletion?.close();
      await worker.close();
      await retryTriggers?.close();
      await syncQueue.close();
      appliedListener?.disconnect();
      if (leaderElection) await leaderElection.close();
      else await liveState?.close();
    },
  };
}
