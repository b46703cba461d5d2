import { UnrecoverableError } from 'bullmq';
import { ControlJob } from '@tidewater/queues';
import { withSpan } from '@tidewater/telemetry';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { confirmPrune, type ConfirmPruneResult } from '../prune/confirm-prune.ts';
import { resumeApplication, type OperatorRequestDeps, type ResumeResult } from '../rollback/resume.ts';
import { rollbackApplication, type RollbackResult } from '../rollback/rollback.ts';
import { ControlRequestRefused } from './control-errors.ts';
import { readKubeEvents, type KubeEventsResult } from './kube-events.ts';
import { readLiveTree, type LiveTreeResult } from './live-tree.ts';
import { requestSyncOperation, type SyncRequestResult } from './sync-request.ts';
import { terminateOperation, type TerminateResult } from './terminate-request.ts';

export type DiffControlJob = Extract<ControlJob, { kind: 'diff' }>;

export interface ControlProcessorDeps extends OperatorRequestDeps {
  clusters: ClusterRegistry;
  /** Answers kind 'diff' (the diff engine); without it a diff request fails with a clear message. */
  diff?: (job: DiffControlJob) => Promise<unknown>;
  /** How long a rollback waits for its sync (default 4 minutes). */
  rollbackTimeoutMs?: number;
  /** How long a sync request waits for its sync (default 4 minutes). */
  syncTimeoutMs?: number;
  /** Resolves a branch or tag to a commit for sync requests (the renderer's heads queue); without it a SHA is needed. */
  resolveRevision?: (repoURL: string, targetRevision: string) => Promise<string>;
}

export type ControlResult =
  | RollbackResult | ResumeResult | SyncRequestResult | TerminateResult | ConfirmPruneResult | LiveTreeResult | KubeEventsResult | { kind: 'diff'; [key: string]: unknown };

/** The parts of a BullMQ job the processor reads. */
export interface ControlJobContext {
  id?: string;
  data: unknown;
}

/**
 * The control queue's processor: an operator's diff, rollback or resume, answered to whoever awaits the job.
 * Refusals (unknown app, revision not in history) end the job with UnrecoverableError and an actionable message.
 */
export async function processControlJob(job: ControlJobContext, deps: ControlProcessorDeps): Promise<ControlResult> {
  const parsed = ControlJob.safeParse(job.data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
    throw new UnrecoverableError(`invalid control job ${job.id}: ${problems}`);
  }
  const data = parsed.data;
  return withSpan(`control ${data.kind}`, { carrier: data.trace, kind: 'consumer', attributes: { 'tidewater.app': data.app } }, async () => {
    const log = deps.logger.child({ app: data.app, jobId: job.id, kind: data.kind });
    try {
      switch (data.kind) {
        case 'rollback':
          return await rollbackApplication(
            { app: data.app, ...(data.revision ? { revision: data.revision } : {}), ...(data.actor ? { actor: data.actor } : {}) },
            { ...deps, ...(deps.rollbackTimeoutMs ? { timeoutMs: deps.rollbackTimeoutMs } : {}) },
          );
        case 'resume':
          return await resumeApplication({ app: data.app, ...(data.actor ? { actor: data.actor } : {}) }, deps);
        case 'sync':
          return await requestSyncOperation(data, { ...deps, ...(deps.syncTimeoutMs ? { timeoutMs: deps.syncTimeoutMs } : {}) });
        case 'terminate':
          return await terminateOperation({ app: data.app, ...(data.actor ? { actor: data.actor } : {}) }, deps);
        case 'diff': {
          if (!deps.diff) throw new ControlRequestRefused('diff is not available in this syncer build');
          const result = await deps.diff(data);
          return { ...(typeof result === 'object' && result !== null ? result : { result }), kind: 'diff' };
        }
        case 'confirm-prune':
          return await confirmPrune({ app: data.app, ...(data.actor ? { actor: data.actor } : {}) }, deps);
        case 'resource-tree':
          return await readLiveTree(data.app, deps);
        case 'events':
          return await readKubeEvents({
            app: data.app, ...(data.resourceName ? { resourceName: data.resourceName } : {}),
            ...(data.resourceNamespace ? { resourceNamespace: data.resourceNamespace } : {}), ...(data.resourceUID ? { resourceUID: data.resourceUID } : {}),
          }, deps);
        default:
          throw new ControlRequestRefused(`control request '${(data as { kind: string }).kind}' is not available in this syncer build`);
      }
    } catch (error) {
      const reason = (error as Error).message;
      if (error instanceof ControlRequestRefused) {
        log.warn({ reason }, 'control request refused');
        throw new UnrecoverableError(reason);
      }
      if (error instanceof UnrecoverableError) {
        log.warn({ reason }, 'control request refused');
        throw error;
      }
      log.error({ reason }, 'control request failed');
      throw error;
    }
  });
}
