import type { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { readDesiredRevision, redisKeys, type SyncHistoryEntry, type SyncResult } from '@tidewater/queues';
import { currentTraceId, injectTraceContext } from '@tidewater/telemetry';
import { ControlRequestRefused } from '../control/control-errors.ts';
import { lastHistoryId, readHistory } from '../history/sync-history.ts';
import { forgetFinishedWork } from './forget-finished-work.ts';
import { writePause } from './pause.ts';
import { chooseRollbackTarget } from './rollback-target.ts';
import type { OperatorRequestDeps } from './resume.ts';

export interface RollbackDeps extends OperatorRequestDeps {
  /** How long the request waits for the rollback's sync to finish (default 4 minutes). */
  timeoutMs?: number;
  /** How often it looks (default 250 ms). */
  pollIntervalMs?: number;
}

export interface RollbackRequest {
  app: string;
  /** A revision from the app's history (or a unique abbreviation); default: the newest other Succeeded one. */
  revision?: string;
  actor?: string;
}

export interface RollbackResult {
  kind: 'rollback';
  app: string;
  revision: string;
  /** The revision that was synced before. */
  from?: string;
  /** Automated sync stays paused until a new commit arrives or an operator resumes. */
  paused: true;
  /** The history entry of the rollback's sync. */
  sync: SyncHistoryEntry;
}

export const defaultRollbackTimeoutMs = 4 * 60_000;

/**
 * Rolls an application back to a revision from its history: pause automated sync at that revision first (so
 * neither a re-delivered webhook of a newer commit nor the periodic reconcile fights it), announce it, then ask
 * the renderer for that revision (the bundle cache usually answers; the render job also makes the revision the
 * desired one, which supersedes newer work in flight) and wait until its sync finished.
 * The syncer holds no Git access: the render queue is how it gets a bundle.
 */
export async function rollbackApplication(request: RollbackRequest, deps: RollbackDeps): Promise<RollbackResult> {
  const { app } = request;
  const actor = request.actor ?? 'operator';
  const application = deps.config().applications.find((candidate) => candidate.metadata.name === app);
  if (!application) throw new ControlRequestRefused(`application ${app} is not in the configuration`);

  const history = await readHistory(deps.redis, app);
  const current = (await readSyncStatus(deps.redis, app))?.revision ?? history[0]?.revision;
  const target = chooseRollbackTarget(app, history, { ...(request.revision ? { requested: request.revision } : {}), ...(current ? { current } : {}) });
  const revision = target.revision;
  const log = deps.logger.child({ app, revision, actor, from: current });

  const afterId = await lastHistoryId(deps.redis, app);
  const at = new Date().toISOString();
  await writePause(deps.redis, app, { revision, by: actor, at, reason: 'rollback', ...(current ? { from: current } : {}) });
  const traceId = currentTraceId();
  await deps.events.publish({ type: eventTypes.rollbackRequested, data: { app, revision, actor, traceId, from: current } });
  await deps.events.publish({ type: eventTypes.syncPaused, data: { app, revision, actor, traceId, reason: 'rollback' } });
  log.info('rollback requested; automated sync paused');

  await forgetFinishedWork(deps.queues, app, revision);
  await deps.producers.requestRender({
    app, repoURL: application.spec.source.repoURL, revision, targetRevision: application.spec.source.targetRevision ?? 'HEAD',
    trigger: { kind: 'rollback', actor, receivedAt: at }, trace: injectTraceContext(),
  });

  const sync = await awaitSyncOf(deps, app, revision, afterId);
  log.info({ historyId: sync.id }, 'rollback synced');
  return { kind: 'rollback', app, revision, ...(current ? { from: current } : {}), paused: true, sync };
}

async function readSyncStatus(redis: Redis, app: string): Promise<SyncResult | undefined> {
  const raw = await redis.get(redisKeys.syncStatus(app));
  return raw ? (JSON.parse(raw) as SyncResult) : undefined;
}

/** Waits for the first sync of `revision` recorded after `afterId`; fails when it failed or a newer commit took over. */
async function awaitSyncOf(deps: RollbackDeps, app: string, revision: string, afterId: number): Promise<SyncHistoryEntry> {
  const deadline = Date.now() + (deps.timeoutMs ?? defaultRollbackTimeoutMs);
  const interval = deps.pollIntervalMs ?? 250;
  for (;;) {
    const recent = (await readHistory(deps.redis, app, 20)).filter((entry) => entry.id > afterId);
    const synced = recent.findLast((entry) => entry.revision === revision);
    if (synced?.phase === 'Succeeded') return synced;
    if (synced?.phase === 'Failed') {
      throw new ControlRequestRefused(`the rollback of ${app} to ${revision.slice(0, 12)} was applied but its sync failed: ${synced.message ?? 'no reason recorded'}; the app stays paused at that revision (tide status ${app})`);
    }
    const desired = await readDesiredRevision(deps.redis, app);
    if (desired && desired.revision !== revision) {
      throw new ControlRequestRefused(`the rollback of ${app} to ${revision.slice(0, 12)} was overtaken: revision ${desired.revision.slice(0, 12)} became the desired one (a new commit resumed automated sync, or another request); see tide history ${app}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the rollback of ${app} to ${revision.slice(0, 12)} is queued but its sync did not finish within ${Math.round((deps.timeoutMs ?? defaultRollbackTimeoutMs) / 1000)} s; the app stays paused; follow it with tide status ${app}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
