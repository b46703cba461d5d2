import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { dependencyPollMs, isNewWait, pendingDependencies } from '../dependencies/dependencies-ready.ts';
import { needsReadinessWait, waitForFluxReadiness } from '../dependencies/flux-readiness.ts';
import { parseHealthRules } from '../health/index.ts';
import type { Redis } from 'ioredis';
import { defaultAppProject, fluxReadinessOf, isAutomatedSync, type AppProject, type ArgoApplication, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import {
  describeBundleRefusal, readDesiredRevision, redisKeys, SyncJob, verifyBundleSignature,
  type AppComparison, type BundleSigningKey, type ObjectOutcome, type ObjectResult, type RenderedBundle, type SyncResult, type SyncRetryState,
} from '@tidewater/queues';
import { currentTraceId, withSpan, type Logger } from '@tidewater/telemetry';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { compareApplication } from '../comparison/compare-application.ts';
import { recordComparison } from '../comparison/comparison-record.ts';
import { GuardrailViolation, SyncFailure } from '../errors/sync-failure.ts';
import { checkProjectGuardrails } from '../guardrails/project-guardrails.ts';
import type { RetryTriggers } from '../retry/retry-triggers.ts';
import { planRetry, type RetryDecision } from '../retry/plan-retry.ts';
import { describeCondition } from '../retry/retry-waits.ts';
import { dryRunOperation } from './dry-run-operation.ts';
import { parseResourceSelectors, type ResourceSelector } from './resource-selection.ts';
import type { SyncOperationInput } from './sync-operation-input.ts';
import { watchTermination } from './termination-watch.ts';
import { historyLimitOf, recordSyncHistory } from '../history/sync-history.ts';
import { recordAppliedBundle, type AppliedBundleRecord } from '../live-state/applied-bundle.ts';
import { healthWaitOf, waitForAppHealth } from '../live-state/wait-for-health.ts';
import { AppLockLost, tryAcquireAppLock } from './app-lock.ts';
import { outageRetryDelayMs } from '../retry/outage-retry.ts';
import { takeRetryCancel } from '../retry/retry-cancel.ts';
import { runSync } from './run-sync.ts';
import { clearSyncInProgress, markSyncInProgress } from './sync-in-progress.ts';

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
  /** Prompt retries of syncs that failed on a missing namespace or CRD (createSyncer provides them). */
  retryTriggers?: RetryTriggers;
  /** Runs a failed or delayed sync job again now (prompt retry); createSyncer provides it with its queue. */
  retryJobNow?: (jobId: string) => Promise<unknown>;
}

/** A sync job's return value: what the sync did, that it was superseded, or (non-automated apps) the comparison. */
export type SyncJobOutcome = SyncResult | { superseded: true } | { compared: AppComparison };

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
 * The sync queue's processor: one sync of one application at one revision. Superseded revisions are dropped (not
 * an operator's sync request, which names its revision), a sync already running for the application delays this
 * job. A non-automated application is only compared (Argo CD's manual sync) unless the job carries a sync request
 * (`operation`) or a rollback. Apply failures of automated apps are retried on `syncPolicy.retry` (a delayed job)
 * and when a missing namespace or CRD appears; other permanent failures end the job with UnrecoverableError (after
 * a syncFailed event), and cluster trouble is rethrown for BullMQ to retry.
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
    if (!data.operation && await isSuperseded(deps.redis, data)) {
      logger.info('sync superseded by a newer revision');
      return { superseded: true };
    }
    const lockedAt = new Date();
    const lock = await tryAcquireAppLock(deps.redis, data.app, {
      onLost: () => logger.warn('sync lock of the application expired while syncing'),
    });
    if (!lock) {
      logger.debug('another sync of the application is running; delaying');
      await job.moveToDelayed(Date.now() + lockedRetryDelayMs, token);
      throw new DelayedError();
    }
    try {
      if (!data.operation && await isSuperseded(deps.redis, data)) {
        logger.info('sync superseded by a newer revision');
        return { superseded: true };
      }
      const application = deps.config().applications.find((candidate) => candidate.metadata.name === data.app);
      // Argo CD: an Application without automated sync is compared, and applied only by a sync request (or a rollback).
      if (application && data.operation?.dryRun) return await dryRun(data, application, deps, logger);
      if (application && !data.operation && !isAutomatedSync(application) && data.trigger.kind !== 'rollback') {
        return await compareOnly(data, application, deps, logger, traceId);
      }
      // --- Flux dependsOn (services/syncer/src/dependencies): wait until every dependency is synced and Healthy ---
      const waiting = application && !data.operation && data.trigger.kind !== 'rollback'
        ? await pendingDependencies(deps.redis, deps.config(), application) : undefined;
      if (application && isNewWait(application.metadata.name, waiting)) {
        logger.info({ waitingFor: waiting?.waitingFor }, 'sync waits for the applications it depends on (Flux dependsOn)');
      }
      if (waiting) {
        await job.moveToDelayed(Date.now() + dependencyPollMs, token);
        throw new DelayedError();
      }
      // --- end Flux dependsOn ---
      return await syncAndReport(job, data, deps, logger, traceId, { release: () => lock.release(), assertHeld: () => lock.assertHeld() }, token, lockedAt);
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

/** The application's AppProject (the built-in `default` when it names that and none is defined). */
export function projectOf(config: TidewaterConfig, application: ArgoApplication): AppProject {
  const projectName = application.spec.project || 'default';
  const project = config.projects.find((candidate) => candidate.metadata.name === projectName)
    ?? (projectName === 'default' ? defaultAppProject() : undefined);
  if (!project) throw new SyncFailure(`application ${application.metadata.name} names project ${projectName}, which is not defined`);
  return project;
}

/** The project's verdict on the application as a whole (source repository and destination), before any object. */
function checkApplicationPermitted(deps: SyncProcessorDeps, application: ArgoApplication): void {
  const cluster = deps.clusters.forDestination(application.spec.destination);
  checkProjectGuardrails({
    appName: application.metadata.name, project: projectOf(deps.config(), application), repoURL: application.spec.source.repoURL,
    destination: {
      name: application.spec.destination.name ?? cluster.name,
      server: application.spec.destination.server ?? cluster.server,
      namespace: application.spec.destination.namespace || undefined,
    },
    objects: [],
  });
}

/**
 * A non-automated application's push or reconcile: render was done, now compare with the cluster and record
 * Synced/OutOfSync (with `app.out-of-sync`); nothing is applied until a sync request. A project that refuses the
 * application makes it OutOfSync with the refusal as the reason.
 */
async function compareOnly(data: SyncJob, application: ArgoApplication, deps: SyncProcessorDeps, logger: Logger, traceId: string | undefined): Promise<SyncJobOutcome> {
  const actor = data.trigger.actor;
  const common = { application, revision: data.revision, bundleKey: data.bundleKey, ...(actor ? { actor } : {}), ...(traceId ? { traceId } : {}) };
  try {
    const bundle = await loadBundle(deps.redis, data, deps.bundleSigningKey);
    checkApplicationPermitted(deps, application);
    const { comparison } = await compareApplication({ application, bundle, bundleKey: data.bundleKey, ...(actor ? { actor } : {}), ...(traceId ? { traceId } : {}) }, deps);
    logger.info({ status: comparison.status, outOfSync: comparison.objects.filter((object) => object.status !== 'unchanged').length }, 'application compared; automated sync is off, nothing applied');
    return { compared: comparison };
  } catch (error) {
    if (!(error instanceof SyncFailure)) throw error;
    const comparison = await recordComparison(deps, { ...common, status: error instanceof GuardrailViolation ? 'OutOfSync' : 'Unknown', reason: error.message, objects: [] });
    logger.warn({ reason: error.message }, 'application could not be compared');
    if (error instanceof GuardrailViolation) return { compared: comparison };
    throw new UnrecoverableError(error.message);
  }
}

/** A dry-run sync request: what a sync would do, nothing applied or recorded. */
async function dryRun(data: SyncJob, application: ArgoApplication, deps: SyncProcessorDeps, logger: Logger): Promise<SyncResult> {
  try {
    const bundle = await loadBundle(deps.redis, data, deps.bundleSigningKey);
    checkApplicationPermitted(deps, application);
    const result = await dryRunOperation({
      application, bundle, operation: data.operation!,
      trigger: { kind: data.trigger.kind, ...(data.operation?.actor ? { actor: data.operation.actor } : {}) },
    }, deps);
    logger.info({ counts: countOutcomes(result.objects) }, 'dry-run sync done; nothing applied');
    return result;
  } catch (error) {
    if (error instanceof SyncFailure) throw new UnrecoverableError(error.message);
    throw error;
  }
}

async function syncAndReport(
  job: Job, data: SyncJob, deps: SyncProcessorDeps, logger: Logger, traceId: string | undefined,
  lock: { release: () => Promise<void>; assertHeld: () => Promise<void> }, token: string | undefined, lockedAt: Date,
): Promise<SyncJobOutcome> {
  const releaseLock = lock.release;
  const startedAt = new Date();
  const { app, revision } = data;
  const actor = data.operation?.actor ?? data.trigger.actor;
  let retryState: SyncRetryState | undefined;
  /** The failure without its retry notes: a retry failing the same way is not announced as a new OutOfSync. */
  let comparisonReason: string | undefined;

  async function finish(phase: 'Succeeded' | 'Failed', message: string | undefined, objects: ObjectResult[]): Promise<SyncResult> {
    const finishedAt = new Date();
    const result: SyncResult = {
      app, revision, phase, ...(message ? { message } : {}),
      startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime(),
      objects,
      trigger: { kind: data.trigger.kind, ...(actor ? { actor } : {}), ...(data.trigger.deliveryId ? { deliveryId: data.trigger.deliveryId } : {}) },
      ...(retryState ? { retry: retryState } : {}),
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
      data: { app, revision, actor, traceId, durationMs: result.durationMs, counts, ...(message ? { reason: message } : {}), ...(retryState ? { retry: retryState } : {}) },
    });
    // --- sync status (Argo CD's Synced / OutOfSync) follows every sync ---
    const application = deps.config().applications.find((candidate) => candidate.metadata.name === app);
    if (application) {
      await recordComparison(deps, {
        application, revision, bundleKey: data.bundleKey, status: phase === 'Succeeded' ? 'Synced' : 'OutOfSync',
        ...(phase === 'Failed' && (comparisonReason ?? message) ? { reason: comparisonReason ?? message } : {}),
        objects: objects.filter((object) => object.outcome === 'failed' || object.outcome === 'skipped')
          .map(({ group, kind, namespace, name }) => ({ group, kind, ...(namespace ? { namespace } : {}), name, status: 'changed' as const })),
        ...(actor ? { actor } : {}), ...(traceId ? { traceId } : {}),
      }).catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'sync status could not be recorded'));
    }
    return result;
  }

  /**
   * A failed automated sync: retried on `syncPolicy.retry`'s schedule (a delayed job) and, beyond Argo CD, at once
   * when the namespace or CRD it failed on appears. Throws DelayedError when a retry is scheduled.
   */
  async function failWithRetry(application: ArgoApplication, message: string, objects: ObjectResult[]): Promise<never> {
    const decision: RetryDecision = planRetry({ application, data, objects, message, operation: data.operation !== undefined, terminated: termination?.terminatedBy() !== undefined });
    retryState = decision.state;
    comparisonReason = message;
    const result = await finish('Failed', decision.message, objects);
    if (decision.conditions.length > 0 && deps.retryTriggers && deps.retryJobNow && job.id) {
      const jobId = job.id;
      deps.retryTriggers.register({
        app, revision, cluster: deps.clusters.forDestination(application.spec.destination).name, conditions: decision.conditions,
        retry: () => deps.retryJobNow!(jobId),
      });
    }
    if (decision.retryAt && token) {
      await deps.events.publish({
        type: eventTypes.syncRetryScheduled,
        data: {
          app, revision, traceId, attempt: decision.state!.attempt + 1, limit: decision.state!.limit, nextAttemptAt: decision.retryAt.toISOString(),
          reason: message, waitingFor: decision.conditions.map(describeCondition),
        },
      });
      logger.warn({ reason: message, nextAttemptAt: decision.retryAt.toISOString(), attempt: decision.state!.attempt + 1 }, 'sync failed; retry scheduled');
      await job.updateData({ ...data, retryAttempt: decision.state!.attempt + 1 });
      await job.moveToDelayed(decision.retryAt.getTime(), token);
      throw new DelayedError();
    }
    logger.warn({ reason: message, counts: countOutcomes(objects) }, 'sync failed');
    throw new UnrecoverableError(result.message ?? message);
  }

  /**
   * Cluster or Redis trouble: report it (the first failure as sync.failed with status and history, each attempt as
   * sync.retry-scheduled with the status's message) and run the job again after a capped backoff. Throws DelayedError.
   */
  async function retryAfterOutage(message: string): Promise<never> {
    if (await deps.redis.exists(redisKeys.paused(app))) {
      await clearSyncInProgress(deps.redis, app).catch(() => undefined);
      await finish('Failed', `${message}; not retried: the application is paused`, []).catch(() => undefined);
      throw new UnrecoverableError(`${message}; not retried: the application is paused`);
    }
    const attempt = (data.outageAttempt ?? 0) + 1;
    const retryAt = new Date(Date.now() + outageRetryDelayMs(attempt));
    const reported = `${message}; retried until applied (attempt ${attempt} failed, next at ${retryAt.toISOString()})`;
    retryState = { attempt, limit: -1, nextAttemptAt: retryAt.toISOString() };
    try {
      if (attempt === 1) {
        comparisonReason = message;
        await finish('Failed', reported, []);
      } else {
        const raw = await deps.redis.get(redisKeys.syncStatus(app));
        const previous = raw ? (JSON.parse(raw) as SyncResult) : undefined;
        if (previous?.revision === revision) await deps.redis.set(redisKeys.syncStatus(app), JSON.stringify({ ...previous, message: reported, retry: retryState }));
      }
      await deps.events.publish({
        type: eventTypes.syncRetryScheduled,
        data: { app, revision, traceId, attempt, limit: -1, nextAttemptAt: retryAt.toISOString(), reason: message, waitingFor: [] },
      });
    } catch (reportError) {
      logger.warn({ reason: (reportError as Error).message }, 'the failed sync attempt could not be reported');
    }
    logger.warn({ reason: message, attempt, nextAttemptAt: retryAt.toISOString() }, 'sync attempt failed on cluster or redis trouble; retrying');
    await job.updateData({ ...data, outageAttempt: attempt });
    await job.moveToDelayed(retryAt.getTime(), token!);
    throw new DelayedError();
  }

  let termination: Awaited<ReturnType<typeof watchTermination>> | undefined;

  try {
    if (data.outageAttempt) {
      // A sync waiting out cluster trouble ends when an operator terminates it (`tide app terminate-op`).
      const cancel = await takeRetryCancel(deps.redis, app, revision);
      if (cancel) {
        const message = `retries after ${data.outageAttempt} failed attempts cancelled: terminated by ${cancel.actor}`;
        await clearSyncInProgress(deps.redis, app);
        await finish('Failed', message, []);
        logger.warn({ actor: cancel.actor }, 'sync retries cancelled by an operator');
        throw new UnrecoverableError(message);
      }
    }
    const config = deps.config();
    const application = config.applications.find((candidate) => candidate.metadata.name === app);
    if (!application) throw new SyncFailure(`application ${app} is not defined in the configuration`);
    const bundle = await loadBundle(deps.redis, data, deps.bundleSigningKey);
    const operation = refusedUnlessValid(() => operationInputOf(data, bundle));
    await deps.events.publish({ type: eventTypes.syncStarted, data: { app, revision, actor, traceId, objectCount: bundle.objects.length } });
    logger.info({ objects: bundle.objects.length, trigger: data.trigger.kind }, 'sync started');

    const project = projectOf(config, application);
    const cluster = deps.clusters.forDestination(application.spec.destination);
    const healthWait = healthWaitOf(application); // live state: tidewater.dev/wait-for-health
    if (healthWait && 'invalid' in healthWait) throw new SyncFailure(healthWait.invalid);

    termination = await watchTermination(deps.redis, app, { since: lockedAt });
    await markSyncInProgress(deps.redis, app, revision);
    const output = await runSync({
      application, project, bundle, cluster, clusters: deps.clusters, redis: deps.redis, logger,
      applyConcurrency: deps.applyConcurrency ?? 16,
      ...(operation ? { operation } : {}),
      signal: termination.signal,
      assertLockHeld: lock.assertHeld,
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
    await clearSyncInProgress(deps.redis, app);
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
    // --- Flux readiness (services/syncer/src/dependencies): wait, healthChecks and timeout of a Kustomization ---
    const fluxReadiness = fluxReadinessOf(application);
    if (output.phase === 'Succeeded' && !healthWait && fluxReadiness && needsReadinessWait(fluxReadiness)) {
      await releaseLock();
      logger.info({ timeoutMs: fluxReadiness.timeoutMs, wait: fluxReadiness.wait, healthChecks: fluxReadiness.healthChecks.length }, 'waiting for the Flux Kustomization to be ready');
      const waited = await waitForFluxReadiness({
        redis: deps.redis, cluster, app, revision, readiness: fluxReadiness,
        healthRules: parseHealthRules(config.otherDocuments).rules, project, signal: termination.signal,
      });
      if (waited.result === 'superseded') {
        logger.info({ newer: waited.revision }, 'stopped waiting for readiness: a newer revision is being synced');
        return { superseded: true };
      }
      if (waited.result === 'timeout') {
        await finish('Failed', waited.reason, output.objects);
        logger.warn({ notReady: waited.notReady }, 'sync failed: the Flux health check timed out');
        throw new UnrecoverableError(waited.reason);
      }
      if (waited.result === 'refused') {
        await finish('Failed', waited.reason, output.objects);
        logger.warn({ reason: waited.reason }, 'sync failed: a Flux health check names an object its project does not permit');
        throw new UnrecoverableError(waited.reason);
      }
    }
    // --- end Flux readiness ---
    const terminatedBy = termination.terminatedBy();
    if (terminatedBy) {
      await deps.events.publish({ type: eventTypes.syncTerminated, data: { app, revision, actor: terminatedBy, traceId } });
    }
    if (output.phase === 'Failed') return await failWithRetry(application, output.message ?? 'sync failed', output.objects);
    deps.retryTriggers?.forget(app);
    const result = await finish(output.phase, output.message, output.objects);
    if (operation?.resources) {
      // A selective sync leaves the rest as it was: compare again so the status says whether the app is in sync.
      await compareApplication({ application, bundle, bundleKey: data.bundleKey, ...(actor ? { actor } : {}), ...(traceId ? { traceId } : {}) }, deps)
        .catch((error: unknown) => logger.warn({ reason: (error as Error).message }, 'application could not be compared after a selective sync'));
    }
    logger.info({ durationMs: result.durationMs, counts: countOutcomes(result.objects) }, 'sync succeeded');
    return result;
  } catch (error) {
    if (error instanceof UnrecoverableError || error instanceof DelayedError) throw error;
    if (error instanceof SyncFailure) {
      await clearSyncInProgress(deps.redis, app).catch(() => undefined);
      await finish('Failed', error.message, []);
      logger.warn({ reason: error.message }, 'sync failed');
      throw new UnrecoverableError(error.message);
    }
    if (error instanceof AppLockLost) {
      // A stall outlived the lock and another holder may be applying now: stop here, run again after it.
      logger.warn({ fence: error.fence }, 'sync stopped: the application lock was lost before the next apply');
      if (!token) throw error;
      await job.moveToDelayed(Date.now() + lockedRetryDelayMs, token);
      throw new DelayedError();
    }
    const message = (error as Error).message;
    // Cluster or Redis trouble (ExternalServiceError) and anything unexpected: level-triggered, the accepted revision
    // is tried again with capped backoff until it is applied, superseded by a newer one, or the app is paused.
    if (token) await retryAfterOutage(message);
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade + 1 >= attempts) {
      await finish('Failed', message, []);
      logger.error({ reason: message, attempts }, 'sync failed after its last attempt');
    } else {
      logger.warn({ reason: message, attempt: job.attemptsMade + 1, attempts }, 'sync attempt failed; will retry');
    }
    throw error;
  } finally {
    termination?.stop();
  }
}

/** A sync request that cannot be carried out as asked is refused as a request: no sync is recorded for it. */
function refusedUnlessValid<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof SyncFailure) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** The sync request's options for runSync; a malformed or unmatched resource selection is the request's failure. */
function operationInputOf(data: SyncJob, bundle: RenderedBundle): SyncOperationInput | undefined {
  const operation = data.operation;
  if (!operation) return undefined;
  let resources: ResourceSelector[] | undefined;
  if (operation.resources?.length) {
    const parsed = parseResourceSelectors(operation.resources);
    if ('invalid' in parsed) throw new SyncFailure(`sync request for ${data.app}: resource "${parsed.invalid}" is not group:kind:name or group:kind:namespace/name`);
    resources = parsed.selectors;
    // Namespaces are checked when the objects are planned (a bundle object may leave its namespace to the destination).
    const inBundle = bundle.objects.some((object) => {
      const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
      return resources!.some((selector) => selector.group === group && selector.kind === object.kind && selector.name === object.metadata.name);
    });
    if (!inBundle) throw new SyncFailure(`sync request for ${data.app}: none of the selected resources (${operation.resources.join(', ')}) is in the bundle at ${data.revision}`);
  }
  return {
    prune: operation.prune, force: operation.force, syncOptions: operation.syncOptions,
    ...(resources ? { resources } : {}), ...(operation.actor ? { actor: operation.actor } : {}),
  };
}

export async function loadBundle(redis: Redis, data: SyncJob, signingKey: BundleSigningKey): Promise<RenderedBundle> {
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
