import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { isAutomatedSync, normalizeRepoUrl, type ArgoApplication, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { jobIds, queueNames, redisKeys, type Producers, type SyncResult } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { mapBounded } from '../apply/bounded-map.ts';
import { readComparison } from '../comparison/comparison-record.ts';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { forgetFinishedWork } from '../rollback/forget-finished-work.ts';
import { configChanges } from './config-changes.ts';

export interface ReconcileDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  producers: Pick<Producers, 'requestRender' | 'requestSync'>;
  events: EventPublisher;
  logger: Logger;
  /** The commit the application's targetRevision points at now (the renderer answers: createRendererHeadResolver). */
  resolveHead: (application: ArgoApplication) => Promise<string>;
  /** Time between rounds (default 3 minutes, Argo CD's timeout.reconciliation). */
  intervalMs?: number;
  /** Up to this much is added to each interval at random (default 60 s), so replicas and restarts spread out. */
  jitterMs?: number;
  /** Applications checked at once (default 4). */
  concurrency?: number;
  /** How often the configuration is looked at for new or changed applications (default 1 s; a reload replaces it). */
  configCheckMs?: number;
  /** Run a round at start (default true): every application is compared, and synced if automated, without waiting. */
  reconcileAtStart?: boolean;
}

export type ReconcileOutcome =
  | { app: string; result: 'requested'; revision: string; previous?: string }
  | { app: string; result: 'up-to-date' | 'in-flight' | 'compared'; revision: string }
  | { app: string; result: 'skipped'; reason: 'paused' }
  /** The render of this revision failed permanently: a new commit or a configuration change renders again. */
  | { app: string; result: 'render-failed'; revision: string }
  /** `retryable`: the head could not be asked (no renderer answered yet), not refused. */
  | { app: string; result: 'error'; reason: string; retryable?: true };

export interface ReconcileLoop {
  /** Runs a round now, then one every interval, and one for each configuration change. */
  start(): void;
  /** One round over every application now (`force`: render and sync or compare again even at the same revision). */
  runOnce(options?: { applications?: readonly ArgoApplication[]; force?: boolean }): Promise<ReconcileOutcome[]>;
  close(): Promise<void>;
}

/** One replica reconciles per round: the others find this key taken. */
export const reconcileLockKey = 'tidewater:syncer:reconcile-lock';

/**
 * The safety net for missed webhooks, and what makes an Application live as soon as it exists: at start, on every
 * configuration change (for new or changed applications) and every interval (+ jitter), each unpaused application's
 * branch head is resolved. An automated app whose head was neither synced nor requested is rendered (and so synced);
 * a manual app is rendered and compared, or compared again when its head is the one compared last. The syncer has
 * no Git credentials: resolving the head is injected (the renderer answers it).
 */
export function createReconcileLoop(deps: ReconcileDeps): ReconcileLoop {
  const intervalMs = deps.intervalMs ?? 180_000;
  const jitterMs = deps.jitterMs ?? 60_000;
  const logger = deps.logger.child({ component: 'reconcile' });
  let timer: NodeJS.Timeout | undefined;
  let configTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const stopped = new AbortController();
  const running = new Set<Promise<unknown>>();
  let lastConfig: TidewaterConfig | undefined;
  let queues: { render: Queue; sync: Queue } | undefined;
  const workQueues = () => (queues ??= {
    render: new Queue(queueNames.render, { connection: deps.redis }),
    sync: new Queue(queueNames.sync, { connection: deps.redis }),
  });

  async function reconcileApp(application: ArgoApplication, heads: Map<string, Promise<{ head: string; at: string }>>, force: boolean): Promise<ReconcileOutcome> {
    const app = application.metadata.name;
    if (await deps.redis.exists(redisKeys.paused(app))) return { app, result: 'skipped', reason: 'paused' };
    const { repoURL, targetRevision = 'HEAD' } = application.spec.source;
    const headKey = `${normalizeRepoUrl(repoURL)}#${targetRevision}`;
    let head: string;
    let seenAt: string;
    try {
      // When the head was seen travels with the request, so a push recorded after it is not overruled (producers).
      if (!heads.has(headKey)) heads.set(headKey, (async () => ({ at: new Date().toISOString(), head: await deps.resolveHead(application) }))());
      ({ head, at: seenAt } = await heads.get(headKey)!);
    } catch (error) {
      const reason = (error as Error).message;
      logger.warn({ app, reason }, 'cannot resolve the branch head of an application');
      return { app, result: 'error', reason, ...(error instanceof ExternalServiceError ? { retryable: true as const } : {}) };
    }
    const automated = isAutomatedSync(application);
    const previous = automated ? await syncedRevision(app) : (await readComparison(deps.redis, app))?.revision;
    if (!force && automated && previous === head) return { app, result: 'up-to-date', revision: head };
    if (!force && !automated && previous === head) {
      // Compare again (the cluster may have changed): the bundle compared last is still cached.
      const comparison = await readComparison(deps.redis, app);
      if (comparison?.bundleKey && await deps.redis.exists(comparison.bundleKey)) {
        await forgetFinishedWork(workQueues(), app, head);
        await deps.producers.requestSync({ app, revision: head, bundleKey: comparison.bundleKey, trigger: { kind: 'reconcile', receivedAt: new Date().toISOString() }, trace: {} });
        return { app, result: 'compared', revision: head };
      }
    }
    if (force) {
      await forgetFinishedWork(workQueues(), app, head);
    } else if (await renderFailedPermanently(app, head)) {
      return { app, result: 'render-failed', revision: head };
    }
    const requested = await deps.producers.requestRender({
      app, repoURL, revision: head, targetRevision, trigger: { kind: 'reconcile', receivedAt: seenAt }, trace: {},
    });
    if (!requested.added) return { app, result: 'in-flight', revision: head };
    logger.info({ app, revision: head, previous, force }, 'reconcile found a commit that was not synced or compared; rendering it');
    await deps.events.publish({ type: eventTypes.reconcileStarted, data: { app, revision: head, ...(previous ? { previous } : {}), jobId: requested.jobId } });
    return { app, result: 'requested', revision: head, ...(previous ? { previous } : {}) };
  }

  /** A render refused for good (UnrecoverableError before its last attempt) fails the same way when asked again. */
  async function renderFailedPermanently(app: string, revision: string): Promise<boolean> {
    const job = await workQueues().render.getJob(jobIds.render(app, revision));
    if (!job || (await job.getState()) !== 'failed') return false;
    return job.attemptsMade < (job.opts.attempts ?? 1);
  }

  async function syncedRevision(app: string): Promise<string | undefined> {
    const rawStatus = await deps.redis.get(redisKeys.syncStatus(app));
    return rawStatus ? (JSON.parse(rawStatus) as SyncResult).revision : undefined;
  }

  async function runOnce(options: { applications?: readonly ArgoApplication[]; force?: boolean } = {}): Promise<ReconcileOutcome[]> {
    const heads = new Map<string, Promise<{ head: string; at: string }>>();
    return mapBounded(options.applications ?? deps.config().applications, deps.concurrency ?? 4, async (application) => {
      try {
        return await reconcileApp(application, heads, options.force ?? false);
      } catch (error) {
        const reason = (error as Error).message;
        logger.warn({ app: application.metadata.name, reason }, 'reconcile of an application failed');
        return { app: application.metadata.name, result: 'error', reason } as const;
      }
    });
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    running.add(promise);
    void promise.finally(() => running.delete(promise)).catch(() => undefined);
    return promise;
  }

  async function round() {
    const token = randomBytes(8).toString('hex');
    const mine = await deps.redis.set(reconcileLockKey, token, 'PX', Math.max(100, Math.floor(intervalMs / 2)), 'NX');
    if (mine !== 'OK') return;
    const outcomes = await runOnce();
    const requested = outcomes.filter((outcome) => outcome.result === 'requested').length;
    logger.debug({ applications: outcomes.length, requested }, 'reconcile round done');
  }

  function scheduleNext() {
    if (closed) return;
    timer = setTimeout(() => {
      void track(round().catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'reconcile round failed'))
        .finally(scheduleNext));
    }, intervalMs + Math.floor(Math.random() * jitterMs));
    timer.unref();
  }

  /**
   * The round at start; applications whose head could not be asked (the renderer still starting, say) are tried
   * again a few times soon after, rather than at the next periodic round minutes later. A head the renderer refused
   * (no such branch yet) waits for a push or the periodic round.
   */
  async function reconcileAtStart() {
    let pending: readonly ArgoApplication[] | undefined;
    for (const delayMs of [0, 2_000, 10_000, 30_000]) {
      if (closed) return;
      if (delayMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          stopped.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          }, { once: true });
        });
      }
      const outcomes = await runOnce(pending ? { applications: pending } : {})
        .catch((error: unknown) => { logger.warn({ reason: (error as Error).message }, 'reconcile at start failed'); return []; });
      const failed = new Set(outcomes.filter((outcome) => outcome.result === 'error' && outcome.retryable).map((outcome) => outcome.app));
      pending = deps.config().applications.filter((application) => failed.has(application.metadata.name));
      if (pending.length === 0) return;
    }
  }

  /** A new configuration (reload): new and changed applications are rendered and synced or compared at once. */
  function watchConfig() {
    if (closed) return;
    configTimer = setTimeout(() => {
      const current = deps.config();
      if (current === lastConfig) {
        watchConfig();
        return;
      }
      const { added, changed } = configChanges(lastConfig, current);
      lastConfig = current;
      if (added.length === 0 && changed.length === 0) {
        watchConfig();
        return;
      }
      logger.info({ added: added.map((application) => application.metadata.name), changed: changed.map((application) => application.metadata.name) }, 'configuration changed; reconciling new and changed applications');
      // A changed app renders and syncs again even at the same commit (its spec or project changed); a new one as usual.
      void track(Promise.all([runOnce({ applications: added }), runOnce({ applications: changed, force: true })])
        .catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'reconcile after a configuration change failed'))
        .finally(watchConfig));
    }, deps.configCheckMs ?? 1_000);
    configTimer.unref();
  }

  return {
    start() {
      if (timer || closed) return;
      lastConfig = deps.config();
      if (deps.reconcileAtStart ?? true) void track(reconcileAtStart());
      scheduleNext();
      watchConfig();
    },
    runOnce,
    async close() {
      closed = true;
      stopped.abort();
      if (timer) clearTimeout(timer);
      if (configTimer) clearTimeout(configTimer);
      await Promise.all([...running]);
      await Promise.all([queues?.render.close(), queues?.sync.close()]);
    },
  };
}
