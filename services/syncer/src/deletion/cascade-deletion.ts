import type { Redis } from 'ioredis';
import { applicationSyncOptions, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { redisKeys } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { inventoryKey, readInventory, writeInventory } from '../prune/inventory.ts';
import { pruneObjects } from '../prune/prune-objects.ts';
import { removedApplications, type RemovedApplication } from './removed-applications.ts';

export interface CascadeDeletionDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  clusters: ClusterRegistry;
  events: EventPublisher;
  logger: Logger;
  /** How often the configuration is looked at for removed applications (default 1 s, as the reconcile loop). */
  configCheckMs?: number;
  /** A cascade that failed (cluster unreachable) is tried again after this long (default 10 s). */
  retryMs?: number;
  /** Objects deleted at once (default 8). */
  concurrency?: number;
}

export interface CascadeDeletion {
  start(): void;
  /** Cascades still to finish (a delete failed, or an object is kept by Prune=false / failed): app names. */
  pending(): string[];
  close(): Promise<void>;
}

/** Redis state of an application that no longer exists (the inventory goes last, once its objects are gone). */
const appStateKeys = (app: string) => [
  redisKeys.syncStatus(app), redisKeys.appHealth(app), redisKeys.appDrift(app), redisKeys.comparison(app), redisKeys.history(app),
  redisKeys.paused(app), redisKeys.desiredRevision(app), redisKeys.sourcePaths(app), redisKeys.pushedRevisions(app),
];

const lockKey = (app: string) => `tidewater:syncer:cascade-lock:${app}`;

/**
 * Argo CD's cascade delete for Applications that leave the configuration (a commit to the config repository
 * removing them, an ApplicationSet that stops generating them under create-delete / sync): an Application whose
 * finalizer asks for it (see removedApplications) has every object of its inventory deleted, each only while it
 * still carries the application's tracking id, then its Redis state is cleared. Without the finalizer its objects
 * stay and only its state is cleared. A cascade that cannot finish is tried again until it does, unless the
 * application comes back.
 */
export function createCascadeDeletion(deps: CascadeDeletionDeps): CascadeDeletion {
  const logger = deps.logger.child({ component: 'cascade-deletion' });
  const pending = new Map<string, RemovedApplication>();
  const running = new Set<Promise<unknown>>();
  let lastConfig: TidewaterConfig | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastAttempt = 0;
  let closed = false;

  async function remove(entry: RemovedApplication): Promise<boolean> {
    const app = entry.application.metadata.name;
    const token = `${process.pid}-${Date.now()}`;
    if ((await deps.redis.set(lockKey(app), token, 'PX', 120_000, 'NX')) !== 'OK') return false;
    try {
      if (entry.cascade) {
        const inventory = await readInventory(deps.redis, app);
        const outcome = await pruneObjects({
          app,
          candidates: inventory.filter((object) => !object.managedNamespace),
          clusters: deps.clusters,
          appOptions: applicationSyncOptions(entry.application),
          propagationPolicy: entry.cascade,
          concurrency: deps.concurrency ?? 8,
          confirmed: true,
          async onPruned(object) {
            await deps.events.publish({
              type: eventTypes.resourcePruned,
              data: { app, actor: 'cascade-delete', cluster: object.cluster, group: object.group, kind: object.kind, namespace: object.namespace, name: object.name },
            });
          },
        });
        const failed = outcome.results.filter((result) => result.outcome === 'failed');
        if (failed.length > 0) {
          await writeInventory(deps.redis, app, [...outcome.kept, ...inventory.filter((object) => object.managedNamespace)]);
          logger.warn({ app, failed: failed.length }, 'cascade delete of a removed application left objects; trying again');
          return false;
        }
        logger.info({ app, deleted: outcome.results.filter((result) => result.outcome === 'pruned').length, kept: outcome.kept.length }, 'removed application: its objects deleted (cascade)');
      } else {
        logger.info({ app, reason: entry.reason }, 'removed application: its objects stay');
      }
      await deps.redis.del(...appStateKeys(app), inventoryKey(app));
      return true;
    } finally {
      if ((await deps.redis.get(lockKey(app))) === token) await deps.redis.del(lockKey(app));
    }
  }

  async function attempt(): Promise<void> {
    lastAttempt = Date.now();
    for (const [app, entry] of [...pending]) {
      if (closed) return;
      try {
        if (await remove(entry)) pending.delete(app);
      } catch (error) {
        logger.warn({ app, reason: (error as Error).message }, 'cascade delete of a removed application failed; trying again');
      }
    }
  }

  function tick() {
    if (closed) return;
    timer = setTimeout(() => {
      const current = deps.config();
      let changed = false;
      if (current !== lastConfig) {
        const previous = lastConfig;
        lastConfig = current;
        const present = new Set(current.applications.map((application) => application.metadata.name));
        for (const app of [...pending.keys()]) if (present.has(app)) pending.delete(app); // it came back: nothing to delete
        if (previous) {
          for (const entry of removedApplications(previous, current)) {
            logger.info({ app: entry.application.metadata.name, cascade: entry.cascade ?? false, reason: entry.reason }, 'application left the configuration');
            pending.set(entry.application.metadata.name, entry);
            changed = true;
          }
        }
      }
      const due = pending.size > 0 && (changed || Date.now() - lastAttempt >= (deps.retryMs ?? 10_000));
      const work = due ? attempt() : Promise.resolve();
      running.add(work);
      void work.catch(() => undefined).finally(() => {
        running.delete(work);
        tick();
      });
    }, deps.configCheckMs ?? 1_000);
    timer.unref();
  }

  return {
    start() {
      if (timer || closed) return;
      lastConfig = deps.config();
      tick();
    },
    pending: () => [...pending.keys()],
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await Promise.all([...running]);
    },
  };
}
