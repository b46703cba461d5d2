import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { defaultAppProject, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import {
  describeBundleRefusal, readDesiredRevision, redisKeys, SyncJob, verifyBundleSignature,
  type BundleSigningKey, type ObjectOutcome, type ObjectResult, type RenderedBundle, type SyncResult,
} from '@tidewater/queues';
import { currentTraceId, withSpan, type Logger } from '@tidewater/telemetry';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { SyncFailure } from '../errors/sync-failure.ts';
import { historyLimitOf, recordSyncHistory } from '../history/sync-history.ts';
import { recordAppliedBundle, type AppliedBundleRecord } from '../live-state/applied-bundle.ts';
import { healthWaitOf, waitForAppHealth } from '../live-state/wait-for-health.ts';
import { tryAcquireAppLock } from './app-lock.ts';
import { runSync } from './run-sync.ts';

export interface SyncProcessorDeps {
  config: () => TidewaterConfig;
  /** Bundles, inventories, locks and sync status live here. */
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  clusters: ClusterRegistry;
  /** The renderer's key (TIDEWATER_BUNDLE_KEY): a bundle without its valid signature is refused, never applied. */
  bundleSigningKey: BundleSigningKey;
  /** Objects applied at once within a wave (default 16). */
  applyConcurrency?: number;
  /** Live-state hook: called (inside the app's lock) once a sync applied its bundle, Succeeded or Failed. */
  onApplied?: (record: AppliedBundleRecord) => Promise<void>;
}

export type SyncJobOutcome = SyncResult | { superseded: true };

/** How long a job waits before trying again when another sync of its application holds the lock. */
export const lockedRetryDelayMs = 500;

const outcomes: readonly ObjectOutcome[] = ['created', 'configured', 'unchanged', 'pruned', 'failed', 'skipped'];

/** Per-outcome counts for events and logs. */
export function countOutcomes(objects: readonly ObjectResult[]): Record<ObjectOutcome, number> {
  const counts = Object.fromEntries(outcomes.map((outcome) => [outcome, 0])) as Record<ObjectOutcome, number>;
  for (const object of objects) counts[object.outcome] += 1;
  return counts;
}

/**
 * The sync queue's processor: one sync of one application at one revision. Superseded revisions are dropped,
 * a sync already running for the application delays this job, permanent failures end the job with
 * UnrecoverableError (after a syncFailed event), and cluster trouble is rethrown for BullMQ to retry.
 */
export async function processSyncJob(job: Job, deps: SyncProcessorDeps, token?: string): Promise<SyncJobOutcome> {
  const parsed = SyncJob.safeParse(job.data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
    throw new UnrecoverableError(`invalid sync job ${job.id}: ${problems}`);
  }
  const data = parsed.data;
  return withSpan('sync', {
    carrier: data.trace, kind: 'consumer', attributes: { 'tidewater.app': data.app, 'tidewater.revision': data.revision },
  }, async () => {
    const traceId = currentTraceId() ?? traceIdFromCarrier(data.trace);
    const logger = deps.logger.child({ app: data.app, revision: data.revision, jobId: job.id, traceId });
    if (await isSuperseded(deps.redis, data)) {
      logger.info('sync superseded by a newer revision');
      return { superseded: true };
    }
    const lock = await tryAcquireAppLock(deps.redis, data.app, {
      onLost: () => logger.warn('sync lock of the application expired while syncing'),
    });
    if (!lock) {
      logger.debug('another sync of the application is running; delaying');
      await job.moveToDelayed(Date.now() + lockedRetryDelayMs, token);
      throw new DelayedError();
    }
    try {
      if (await isSuperseded(deps.redis, data)) {
        logger.info('sync superseded by a newer revision');
        return { superseded: true };
      }
      return await syncAndReport(job, data, deps, logger, traceId, () => lock.release());
    } finally {
      await lock.release();
    }
  });
}

async function isSuperseded(redis: Redis, data: SyncJob): Promise<boolean> {
  const desired = await readDesiredRevision(redis, data.app);
  return desired !== undefined && desired.revision !== data.revision;
}

/** `traceparent` → trace id, for when no tracer is registered but the job still carries the trace. */
function traceIdFromCarrier(carrier: Record<string, string>): string | undefined {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(carrier.traceparent ?? '');
  return match && !/^0+$/.test(match[1]) ? match[1] : undefined;
}

async function syncAndReport(
  job: Job, data: SyncJob, deps: SyncProcessorDeps, logger: Logger, traceId: string | undefined, releaseLock: () => Promise<void>,
): Promise<SyncJobOutcome> {
  const startedAt = new Date();
  const { app, revision } = data;
  const actor = data.trigger.actor;

  async function finish(phase: 'Succeeded' | 'Failed', message: string | undefined, objects: ObjectResult[]): Promise<SyncResult> {
    const finishedAt = new Date();
    const result: SyncResult = {
      app, revision, phase, ...(message ? { message } : {}),
      startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime(),
      objects,
      trigger: { kind: data.trigger.kind, ...(actor ? { actor } : {}), ...(data.trigger.deliveryId ? { deliveryId: data.trigger.deliveryId } : {}) },
    };
    await deps.redis.set(redisKeys.syncStatus(app), JSON.stringify(result));
    // --- history (services/syncer/src/history): every finished sync joins the app's last-N list ---
    const limit = historyLimitOf(deps.config().applications.find((candidate) => candidate.metadata.name === app));
    await recordSyncHistory(deps.redis, result, { limit, bundleKey: data.bundleKey })
      .catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'sync history could not be recorded'));
    // --- end history ---
    const counts = countOutcomes(objects);
    await deps.events.publish({
      type: phase === 'Succeeded' ? eventTypes.syncSucceeded : eventTypes.syncFailed,
      data: { app, revision, actor, traceId, durationMs: result.durationMs, counts, ...(message ? { reason: message } : {}) },
    });
    return result;
  }

  try {
    const config = deps.config();
    const application = config.applications.find((candidate) => candidate.metadata.name === app);
    if (!application) throw new SyncFailure(`application ${app} is not defined in the configuration`);
    const bundle = await loadBundle(deps.redis, data, deps.bundleSigningKey);
    await deps.events.publish({ type: eventTypes.syncStarted, data: { app, revision, actor, traceId, objectCount: bundle.objects.length } });
    logger.info({ objects: bundle.objects.length, trigger: data.trigger.kind }, 'sync started');

    const projectName = application.spec.project || 'default';
    const project = config.projects.find((candidate) => candidate.metadata.name === projectName)
      ?? (projectName === 'default' ? defaultAppProject() : undefined);
    if (!project) throw new SyncFailure(`application ${app} names project ${projectName}, which is not defined`);
    const cluster = deps.clusters.forDestination(application.spec.destination);
    const healthWait = healthWaitOf(application); // live state: tidewater.dev/wait-for-health
    if (healthWait && 'invalid' in healthWait) throw new SyncFailure(healthWait.invalid);

    const output = await runSync({
      application, project, bundle, cluster, clusters: deps.clusters, redis: deps.redis, logger,
      applyConcurrency: deps.applyConcurrency ?? 16,
      async onPruned(entry) {
        await deps.events.publish({
          type: eventTypes.resourcePruned,
          data: { app, revision, actor, traceId, cluster: entry.cluster, group: entry.group, kind: entry.kind, namespace: entry.namespace, name: entry.name },
        });
      },
    });
    // --- live state (services/syncer/src/live-state): record what was applied, refresh health and drift, and
    // with tidewater.dev/wait-for-health wait for the app to be Healthy outside the app's lock ---
    const appliedRecord: AppliedBundleRecord = { app, revision, bundleKey: data.bundleKey, phase: output.phase, appliedAt: new Date().toISOString() };
    await recordAppliedBundle(deps.redis, appliedRecord)
      .catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'applied bundle could not be recorded'));
    await deps.onApplied?.(appliedRecord)
      .catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'live state could not be refreshed after the sync'));
    if (output.phase === 'Succeeded' && healthWait) {
      await releaseLock();
      logger.info({ timeoutMs: healthWait.timeoutMs }, 'waiting for the application to be healthy');
      const waited = await waitForAppHealth({ redis: deps.redis, app, revision, timeoutMs: healthWait.timeoutMs });
      if (waited.result === 'superseded') {
        logger.info({ newer: waited.revision }, 'stopped waiting for health: a newer revision is being synced');
        return { superseded: true };
      }
      if (waited.result === 'unhealthy') {
        await finish('Failed', waited.reason, output.objects);
        logger.warn({ reason: waited.reason }, 'sync failed: the application did not become healthy');
        throw new UnrecoverableError(waited.reason);
      }
    }
    // --- end live state ---
    const result = await finish(output.phase, output.message, output.objects);
    if (output.phase === 'Failed') {
      logger.warn({ reason: output.message, counts: countOutcomes(output.objects) }, 'sync failed');
      throw new UnrecoverableError(output.message ?? 'sync failed');
    }
    logger.info({ durationMs: result.durationMs, counts: countOutcomes(result.objects) }, 'sync succeeded');
    return result;
  } catch (error) {
    if (error instanceof UnrecoverableError) throw error;
    if (error instanceof SyncFailure) {
      await finish('Failed', error.message, []);
      logger.warn({ reason: error.message }, 'sync failed');
      throw new UnrecoverableError(error.message);
    }
    // Cluster or Redis trouble (ExternalServiceError) and anything unexpected: BullMQ retries with backoff.
    const attempts = job.opts.attempts ?? 1;
    const message = (error as Error).message;
    if (job.attemptsMade + 1 >= attempts) {
      await finish('Failed', message, []);
      logger.error({ reason: message, attempts }, 'sync failed after its last attempt');
    } else {
      logger.warn({ reason: message, attempt: job.attemptsMade + 1, attempts }, 'sync attempt failed; will retry');
    }
    throw error;
  }
}

async function loadBundle(redis: Redis, data: SyncJob, signingKey: BundleSigningKey): Promise<RenderedBundle> {
  const raw = await redis.get(data.bundleKey);
  if (raw === null) {
    throw new SyncFailure(`rendered bundle ${data.bundleKey} for ${data.app} at ${data.revision} is missing (expired or never written); render the revision again to sync it`);
  }
  let bundle: RenderedBundle;
  try {
    bundle = JSON.parse(raw) as RenderedBundle;
  } catch {
    throw new SyncFailure(`rendered bundle ${data.bundleKey} is not valid JSON; render the revision again`);
  }
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) throw new SyncFailure(`rendered bundle ${data.bundleKey} is not a bundle object; render the revision again`);
  // Only what the renderer signed is applied: a rogue Redis writer cannot hand the syncer objects of its own.
  const verdict = verifyBundleSignature(bundle, signingKey);
  if (!verdict.ok) throw new SyncFailure(describeBundleRefusal(data.bundleKey, verdict.problem));
  if (!Array.isArray(bundle.objects)) throw new SyncFailure(`rendered bundle ${data.bundleKey} has no objects list; render the revision again`);
  if (bundle.app !== data.app || bundle.revision !== data.revision) {
    throw new SyncFailure(`rendered bundle ${data.bundleKey} holds ${bundle.app} at ${bundle.revision}, not ${data.app} at ${data.revision}`);
  }
  return bundle;
}
