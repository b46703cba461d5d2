import type { Redis } from 'ioredis';
import { applicationSyncOptions, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { redisKeys, type ObjectResult, type SyncResult } from '@tidewater/queues';
import { currentTraceId, type Logger } from '@tidewater/telemetry';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { ControlRequestRefused } from '../control/control-errors.ts';
import { describeObject, objectKey } from '../apply/object-ref.ts';
import { tryAcquireAppLock } from '../sync/app-lock.ts';
import { readInventory, writeInventory } from './inventory.ts';
import { readPendingPrune, recordPendingPrune } from './pending-prune.ts';
import { prunePropagationPolicy } from './propagation-policy.ts';
import { pruneObjects } from './prune-objects.ts';

export interface ConfirmPruneDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  clusters: ClusterRegistry;
  events: EventPublisher;
  logger: Logger;
  /** How long to wait for a running sync of the application to finish (default 60 s). */
  lockTimeoutMs?: number;
}

export interface ConfirmPruneResult {
  kind: 'confirm-prune';
  app: string;
  revision: string;
  /** The objects deleted, as `describeObject` names them. */
  pruned: string[];
  /** Objects that could not be deleted, with why. */
  failed: ObjectResult[];
}

/**
 * An operator confirms the `Prune=confirm` deletions the application's last sync is waiting for (Argo CD's
 * "Confirm Pruning"). Under the application's sync lock: only the recorded objects, each still tracked by the
 * application and still absent from the applied bundle (a newer sync rewrites the record), are deleted.
 */
export async function confirmPrune(request: { app: string; actor?: string }, deps: ConfirmPruneDeps): Promise<ConfirmPruneResult> {
  const { app } = request;
  const actor = request.actor ?? 'operator';
  const application = deps.config().applications.find((candidate) => candidate.metadata.name === app);
  if (!application) throw new ControlRequestRefused(`application ${app} is not in the configuration`);

  const deadline = Date.now() + (deps.lockTimeoutMs ?? 60_000);
  let lock = await tryAcquireAppLock(deps.redis, app);
  while (!lock) {
    if (Date.now() > deadline) throw new ControlRequestRefused(`a sync of application ${app} is still running; confirm the prune again when it has finished`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    lock = await tryAcquireAppLock(deps.redis, app);
  }
  try {
    const pending = await readPendingPrune(deps.redis, app);
    if (!pending || pending.entries.length === 0) throw new ControlRequestRefused(`application ${app} has no prune waiting for confirmation`);
    const inventory = await readInventory(deps.redis, app);
    const inventoryKeys = new Set(inventory.map((entry) => objectKey(entry.cluster, entry)));
    const candidates = pending.entries.filter((entry) => inventoryKeys.has(objectKey(entry.cluster, entry)));
    const options = applicationSyncOptions(application);
    const pruned = await pruneObjects({
      app, candidates, clusters: deps.clusters, appOptions: options, confirmed: true, concurrency: 8,
      propagationPolicy: prunePropagationPolicy(options),
      async onPruned(entry) {
        await deps.events.publish({
          type: eventTypes.resourcePruned,
          data: { app, revision: pending.revision, actor, traceId: currentTraceId(), cluster: entry.cluster, group: entry.group, kind: entry.kind, namespace: entry.namespace, name: entry.name },
        });
      },
    });
    const keptKeys = new Set(pruned.kept.map((entry) => objectKey(entry.cluster, entry)));
    const candidateKeys = new Set(candidates.map((entry) => objectKey(entry.cluster, entry)));
    await writeInventory(deps.redis, app, inventory.filter((entry) => {
      const key = objectKey(entry.cluster, entry);
      return !candidateKeys.has(key) || keptKeys.has(key);
    }));
    await recordPendingPrune(deps.redis, app, pending.revision, pruned.kept);
    await updateSyncStatus(deps.redis, app, pruned.results);
    const failed = pruned.results.filter((result) => result.outcome === 'failed');
    const names = pruned.results.filter((result) => result.outcome === 'pruned').map((result) => describeObject(result));
    deps.logger.info({ app, actor, pruned: names.length, failed: failed.length }, 'prune confirmed');
    return { kind: 'confirm-prune', app, revision: pending.revision, pruned: names, failed };
  } finally {
    await lock.release();
  }
}

/** The app's sync status shows the confirmed prune: those objects pruned, the waiting message gone. */
async function updateSyncStatus(redis: Redis, app: string, results: readonly ObjectResult[]): Promise<void> {
  const raw = await redis.get(redisKeys.syncStatus(app));
  if (!raw) return;
  const status = JSON.parse(raw) as SyncResult;
  const byName = new Map(results.map((result) => [describeObject(result), result]));
  status.objects = status.objects.map((object) => byName.get(describeObject(object)) ?? object);
  if (status.message?.startsWith('waiting for prune confirmation')) delete status.message;
  await redis.set(redisKeys.syncStatus(app), JSON.stringify(status));
}
