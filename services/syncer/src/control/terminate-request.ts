import { redisKeys, type SyncResult } from '@tidewater/queues';
import type { OperatorRequestDeps } from '../rollback/resume.ts';
import { appLockKey } from '../sync/app-lock.ts';
import { terminateRequestKey } from '../sync/termination-watch.ts';
import { ControlRequestRefused } from './control-errors.ts';
import { requestRetryCancel } from '../retry/retry-cancel.ts';

export interface TerminateResult {
  kind: 'terminate';
  app: string;
  /** False when the sync finished before the request reached it (it then ran to its end). */
  terminated: boolean;
  /** The terminated sync as recorded (phase Failed, "terminated by <actor>"), when it was recorded in time. */
  sync?: SyncResult;
}

/**
 * Terminates the app's running sync operation (`argocd app terminate-op`): the sync stops before its next object,
 * records phase Failed with "terminated by <actor>" and is not retried. A sync waiting to be retried after cluster
 * trouble ends at its next attempt the same way. Refused when no sync of the app runs or waits.
 */
export async function terminateOperation(
  request: { app: string; actor?: string },
  deps: Pick<OperatorRequestDeps, 'config' | 'redis' | 'logger'> & { timeoutMs?: number; pollIntervalMs?: number },
): Promise<TerminateResult> {
  const { app } = request;
  const actor = request.actor ?? 'operator';
  if (!deps.config().applications.some((candidate) => candidate.metadata.name === app)) {
    throw new ControlRequestRefused(`application ${app} is not in the configuration`);
  }
  const before = await deps.redis.get(redisKeys.syncStatus(app));
  if (!(await deps.redis.exists(appLockKey(app)))) {
    // A sync waiting out cluster trouble (level-triggered retries) is terminated at its next attempt.
    const waiting = before ? (JSON.parse(before) as SyncResult) : undefined;
    if (waiting?.phase !== 'Failed' || waiting.retry?.limit !== -1 || !waiting.retry.nextAttemptAt) {
      throw new ControlRequestRefused(`no sync operation of ${app} is running`);
    }
    await requestRetryCancel(deps.redis, app, { actor, revision: waiting.revision, at: new Date().toISOString() });
    deps.logger.info({ app, actor, revision: waiting.revision }, 'retries of the waiting sync cancelled');
    const deadline = Date.now() + (deps.timeoutMs ?? 60_000);
    for (;;) {
      const status = await deps.redis.get(redisKeys.syncStatus(app));
      const sync = status ? (JSON.parse(status) as SyncResult) : undefined;
      if (sync && (sync.revision !== waiting.revision || !sync.retry?.nextAttemptAt || sync.message?.includes('cancelled'))) {
        return { kind: 'terminate', app, terminated: (sync.message ?? '').includes(`terminated by ${actor}`), sync };
      }
      if (Date.now() > deadline) throw new Error(`the waiting sync of ${app} did not reach its next attempt within ${Math.round((deps.timeoutMs ?? 60_000) / 1000)} s; it ends at that attempt`);
      await new Promise((resolve) => setTimeout(resolve, deps.pollIntervalMs ?? 100));
    }
  }
  await deps.redis.set(terminateRequestKey(app), JSON.stringify({ actor, at: new Date().toISOString() }), 'PX', 60_000);
  deps.logger.info({ app, actor }, 'termination of the running sync requested');
  const deadline = Date.now() + (deps.timeoutMs ?? 60_000);
  for (;;) {
    const [locked, status] = await Promise.all([deps.redis.exists(appLockKey(app)), deps.redis.get(redisKeys.syncStatus(app))]);
    if (status !== before && status) {
      const sync = JSON.parse(status) as SyncResult;
      return { kind: 'terminate', app, terminated: (sync.message ?? '').includes(`terminated by ${actor}`), sync };
    }
    if (!locked) {
      await deps.redis.del(terminateRequestKey(app)); // nothing consumed it: do not let it linger for the next sync
      return { kind: 'terminate', app, terminated: false };
    }
    if (Date.now() > deadline) throw new Error(`the sync of ${app} did not stop within ${Math.round((deps.timeoutMs ?? 60_000) / 1000)} s of the termination request`);
    await new Promise((resolve) => setTimeout(resolve, deps.pollIntervalMs ?? 100));
  }
}
