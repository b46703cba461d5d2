import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isAutomatedSync, normalizeRepoUrl, type ArgoApplication, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { readDesiredRevision, redisKeys, type Producers, type SyncResult } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { mapBounded } from '../apply/bounded-map.ts';

export interface ReconcileDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  producers: Pick<Producers, 'requestRender'>;
  events: EventPublisher;
  logger: Logger;
  /** The commit the application's targetRevision points at now (see createLsRemoteHeadResolver). */
  resolveHead: (application: ArgoApplication) => Promise<string>;
  /** Time between rounds (default 3 minutes, Argo CD's timeout.reconciliation). */
  intervalMs?: number;
  /** Up to this much is added to each interval at random (default 60 s), so replicas and restarts spread out. */
  jitterMs?: number;
  /** Applications checked at once (default 4). */
  concurrency?: number;
}

export type ReconcileOutcome =
  | { app: string; result: 'requested'; revision: string; previous?: string }
  | { app: string; result: 'up-to-date' | 'in-flight'; revision: string }
  | { app: string; result: 'skipped'; reason: 'manual sync' | 'paused' }
  | { app: string; result: 'error'; reason: string };

export interface ReconcileLoop {
  /** Starts the periodic rounds (the first after one interval). */
  start(): void;
  /** One round over every application now. */
  runOnce(): Promise<ReconcileOutcome[]>;
  close(): Promise<void>;
}

/** One replica reconciles per round: the others find this key taken. */
export const reconcileLockKey = 'tidewater:syncer:reconcile-lock';

/**
 * The safety net for missed webhooks: every interval (+ jitter) each automated, unpaused application's branch head
 * is resolved; a head that was neither synced nor already requested is sent to the renderer (trigger `reconcile`),
 * with a reconcileStarted event. The syncer has no Git credentials, so resolving the head is injected.
 */
export function createReconcileLoop(deps: ReconcileDeps): ReconcileLoop {
  const intervalMs = deps.intervalMs ?? 180_000;
  const jitterMs = deps.jitterMs ?? 60_000;
  const logger = deps.logger.child({ component: 'reconcile' });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<unknown> | undefined;

  async function reconcileApp(application: ArgoApplication, heads: Map<string, Promise<{ head: string; at: string }>>): Promise<ReconcileOutcome> {
    const app = application.metadata.name;
    if (!isAutomatedSync(application)) return { app, result: 'skipped', reason: 'manual sync' };
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
      return { app, result: 'error', reason };
    }
    const rawStatus = await deps.redis.get(redisKeys.syncStatus(app));
    const synced = rawStatus ? (JSON.parse(rawStatus) as SyncResult).revision : undefined;
    if (synced === head) return { app, result: 'up-to-date', revision: head };
    const requested = await deps.producers.requestRender({
      app, repoURL, revision: head, targetRevision, trigger: { kind: 'reconcile', receivedAt: seenAt }, trace: {},
    });
    if (!requested.added) return { app, result: 'in-flight', revision: head };
    logger.info({ app, revision: head, previous: synced }, 'reconcile found a commit that was not synced; rendering it');
    await deps.events.publish({ type: eventTypes.reconcileStarted, data: { app, revision: head, ...(synced ? { previous: synced } : {}), jobId: requested.jobId } });
    return { app, result: 'requested', revision: head, ...(synced ? { previous: synced } : {}) };
  }

  async function runOnce(): Promise<ReconcileOutcome[]> {
    const heads = new Map<string, Promise<{ head: string; at: string }>>();
    return mapBounded(deps.config().applications, deps.concurrency ?? 4, async (application) => {
      try {
        return await reconcileApp(application, heads);
      } catch (error) {
        const reason = (error as Error).message;
        logger.warn({ app: application.metadata.name, reason }, 'reconcile of an application failed');
        return { app: application.metadata.name, result: 'error', reason } as const;
      }
    });
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
      running = round().catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'reconcile round failed'))
        .finally(() => {
          running = undefined;
          scheduleNext();
        });
    }, intervalMs + Math.floor(Math.random() * jitterMs));
    timer.unref();
  }

  return {
    start() {
      if (!timer && !closed) scheduleNext();
    },
    runOnce,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
