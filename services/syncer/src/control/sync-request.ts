import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { ArgoApplication } from '@tidewater/config';
import { jobIds, redisKeys, type ControlJob, type SyncOperation, type SyncResult } from '@tidewater/queues';
import { injectTraceContext } from '@tidewater/telemetry';
import { readComparison } from '../comparison/comparison-record.ts';
import { readAppliedRecord } from '../live-state/applied-bundle.ts';
import { forgetFinishedWork } from '../rollback/forget-finished-work.ts';
import type { OperatorRequestDeps } from '../rollback/resume.ts';
import { parseResourceSelectors } from '../sync/resource-selection.ts';
import { ControlRequestRefused } from './control-errors.ts';

export type SyncControlJob = Extract<ControlJob, { kind: 'sync' }>;

export interface SyncRequestDeps extends OperatorRequestDeps {
  /** Resolves a branch or tag to its commit (the renderer answers: createRendererHeadResolver().resolve). */
  resolveRevision?: (repoURL: string, targetRevision: string) => Promise<string>;
  /** How long the request waits for its sync (default 4 minutes). */
  timeoutMs?: number;
  pollIntervalMs?: number;
}

export interface SyncRequestResult {
  kind: 'sync';
  app: string;
  revision: string;
  operationId: string;
  /** What the sync did (for a dry run: what it would do). */
  result: SyncResult;
}

export const defaultSyncRequestTimeoutMs = 4 * 60_000;

/**
 * An operator's sync (`argocd app sync`): exactly one sync operation of the app at the requested revision (default:
 * its targetRevision's head, asked of the renderer), with prune, dry-run, force, selected resources and sync options.
 * It runs through the normal sync path (the app's lock, the project's guardrails, status, history and events) and
 * applies even when the app has no automated sync. The bundle compared or applied last is reused when it is of that
 * revision; otherwise the renderer renders exactly that revision. Resolves once the sync finished.
 */
export async function requestSyncOperation(request: SyncControlJob, deps: SyncRequestDeps): Promise<SyncRequestResult> {
  const { app } = request;
  const application = deps.config().applications.find((candidate) => candidate.metadata.name === app);
  if (!application) throw new ControlRequestRefused(`application ${app} is not in the configuration`);
  const selection = parseResourceSelectors(request.resources ?? []);
  if ('invalid' in selection) {
    throw new ControlRequestRefused(`resource "${selection.invalid}" is not group:kind:name or group:kind:namespace/name (group empty for core, e.g. ":ConfigMap:settings")`);
  }
  const revision = await revisionToSync(request, application, deps);
  const actor = request.actor ?? 'operator';
  const operation: SyncOperation = {
    id: randomUUID(), prune: request.prune, dryRun: request.dryRun, force: request.force,
    ...(request.resources?.length ? { resources: request.resources } : {}), syncOptions: request.syncOptions, actor,
  };
  const log = deps.logger.child({ app, revision, actor, operationId: operation.id });
  const trigger = { kind: 'manual' as const, actor, receivedAt: new Date().toISOString() };
  const deadline = Date.now() + (deps.timeoutMs ?? defaultSyncRequestTimeoutMs);

  for (;;) {
    await forgetFinishedWork(deps.queues, app, revision);
    const bundleKey = await cachedBundleKey(deps, app, revision);
    const queued = bundleKey
      ? await (async () => {
        if (!operation.dryRun) {
          await deps.redis.set(redisKeys.desiredRevision(app), JSON.stringify({ revision, at: new Date().toISOString() }));
        }
        return deps.producers.requestSync({ app, revision, bundleKey, trigger, trace: injectTraceContext(), operation });
      })()
      : await deps.producers.requestRender({
        app, repoURL: application.spec.source.repoURL, revision, targetRevision: application.spec.source.targetRevision ?? 'HEAD',
        trigger, trace: injectTraceContext(), operation,
      });
    if (queued.added) {
      log.info({ via: bundleKey ? 'cached bundle' : 'render' }, 'sync requested by an operator');
      break;
    }
    // Another job of this app and revision is waiting or running (a push's compare): let it finish, then ask again.
    if (Date.now() > deadline) throw new Error(`the sync request for ${app} could not be queued: other work on ${revision.slice(0, 12)} kept running`);
    await new Promise((resolve) => setTimeout(resolve, deps.pollIntervalMs ?? 200));
  }

  const result = await awaitOperation(deps, app, revision, operation.id, deadline);
  log.info({ phase: result.phase }, 'sync request finished');
  return { kind: 'sync', app, revision, operationId: operation.id, result };
}

async function revisionToSync(request: SyncControlJob, application: ArgoApplication, deps: SyncRequestDeps): Promise<string> {
  const wanted = request.revision?.trim();
  if (wanted && /^[0-9a-f]{40}$/i.test(wanted)) return wanted.toLowerCase();
  const ref = wanted || application.spec.source.targetRevision || 'HEAD';
  if (deps.resolveRevision) {
    try {
      return await deps.resolveRevision(application.spec.source.repoURL, ref);
    } catch (error) {
      throw new ControlRequestRefused(`cannot resolve ${ref} of application ${request.app}: ${(error as Error).message}`);
    }
  }
  if (!wanted) {
    // Without the renderer's help: the revision compared last (what a push rendered), as `argocd app sync` does.
    const compared = (await readComparison(deps.redis, request.app))?.revision;
    if (compared) return compared;
  }
  throw new ControlRequestRefused(`cannot resolve ${ref} of application ${request.app}: no renderer answers branch heads here; name a full commit SHA`);
}

/** A cached bundle of the app at `revision`: the one compared last, or the one applied last. */
async function cachedBundleKey(deps: SyncRequestDeps, app: string, revision: string): Promise<string | undefined> {
  const candidates: string[] = [];
  const comparison = await readComparison(deps.redis, app);
  if (comparison?.revision === revision && comparison.bundleKey) candidates.push(comparison.bundleKey);
  const applied = await readAppliedRecord(deps.redis, app);
  if (applied?.revision === revision) candidates.push(applied.bundleKey);
  for (const key of candidates) if (await deps.redis.exists(key)) return key;
  return undefined;
}

function carries(job: Job | undefined, operationId: string): job is Job {
  return (job?.data as { operation?: { id?: string } } | undefined)?.operation?.id === operationId;
}

/** Waits for the sync job that carries the operation (through its render, if there was one) and returns its result. */
async function awaitOperation(deps: SyncRequestDeps, app: string, revision: string, operationId: string, deadline: number): Promise<SyncResult> {
  const queues: Array<[Queue, string]> = [[deps.queues.sync, jobIds.sync(app, revision)], [deps.queues.render, jobIds.render(app, revision)]];
  for (;;) {
    for (const [queue, jobId] of queues) {
      const job = await queue.getJob(jobId);
      if (!carries(job, operationId)) continue;
      const state = await job.getState();
      if (state === 'failed') {
        const failedReason = (await queue.getJob(jobId))?.failedReason ?? job.failedReason;
        const stage = queue === deps.queues.sync ? 'sync' : 'render';
        throw new ControlRequestRefused(`the ${stage} of ${app} at ${revision.slice(0, 12)} failed: ${failedReason || 'no reason recorded'} (tide status ${app})`);
      }
      if (state === 'completed' && queue === deps.queues.sync) {
        // Read again: the job may have completed after it was read above, without its return value.
        const value = (await queue.getJob(jobId))?.returnvalue as SyncResult | { superseded?: boolean } | undefined;
        if (value && 'phase' in value) return value;
        throw new ControlRequestRefused(`the sync of ${app} at ${revision.slice(0, 12)} did not run: ${JSON.stringify(value)}`);
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`the sync of ${app} at ${revision.slice(0, 12)} is queued but did not finish in time; follow it with tide status ${app}`);
    }
    await new Promise((resolve) => setTimeout(resolve, deps.pollIntervalMs ?? 200));
  }
}
