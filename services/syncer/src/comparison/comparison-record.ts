import type { Redis } from 'ioredis';
import { isAutomatedSync, type ArgoApplication } from '@tidewater/config';
import { eventTypes, type AppOutOfSyncData, type EventPublisher } from '@tidewater/events';
import { redisKeys, type AppComparison, type AppHealth, type ComparedObject } from '@tidewater/queues';
import { readAppliedRecord } from '../live-state/applied-bundle.ts';

/** The app's latest comparison, or undefined when it was never compared. */
export async function readComparison(redis: Redis, app: string): Promise<AppComparison | undefined> {
  const raw = await redis.get(redisKeys.comparison(app));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as AppComparison;
  } catch {
    return undefined;
  }
}

export interface ComparisonInput {
  application: ArgoApplication;
  revision: string;
  bundleKey?: string;
  status: AppComparison['status'];
  reason?: string;
  objects: ComparedObject[];
  actor?: string;
  traceId?: string;
}

/** Objects listed in an out-of-sync event; the count says how many there are in all. */
const eventObjectLimit = 50;

/**
 * Records a comparison (Argo CD's sync status) and announces a change to OutOfSync with `app.out-of-sync`, once per
 * revision and reason. An app nothing was ever applied for is health Missing (Argo CD's word for absent objects):
 * the live-state watcher judges health only from what a sync applied.
 */
export async function recordComparison(deps: { redis: Redis; events: EventPublisher }, input: ComparisonInput): Promise<AppComparison> {
  const app = input.application.metadata.name;
  const comparison: AppComparison = {
    app, revision: input.revision, status: input.status, ...(input.reason ? { reason: input.reason } : {}),
    syncPolicy: isAutomatedSync(input.application) ? 'automated' : 'manual',
    ...(input.bundleKey ? { bundleKey: input.bundleKey } : {}),
    // Only what differs is kept: the record stays small for apps of thousands of objects.
    objects: input.objects.filter((object) => object.status !== 'unchanged'), comparedAt: new Date().toISOString(),
  };
  const previous = await readComparison(deps.redis, app);
  // Health first: whoever reads the new comparison finds the health that goes with it.
  if (comparison.status !== 'Synced' && !(await readAppliedRecord(deps.redis, app))) {
    await recordMissingHealth(deps.redis, app, comparison);
  }
  await deps.redis.set(redisKeys.comparison(app), JSON.stringify(comparison));
  if (comparison.status === 'OutOfSync') {
    const differing = comparison.objects.filter((object) => object.status !== 'unchanged');
    const announced = previous?.status === 'OutOfSync' && previous.revision === comparison.revision && previous.reason === comparison.reason
      && previous.objects.filter((object) => object.status !== 'unchanged').length === differing.length;
    if (!announced) {
      const data: AppOutOfSyncData = {
        app, revision: comparison.revision, syncPolicy: comparison.syncPolicy, ...(comparison.reason ? { reason: comparison.reason } : {}),
        objects: differing.slice(0, eventObjectLimit).map(({ group, kind, namespace, name, status }) => ({
          group, kind, ...(namespace ? { namespace } : {}), name, status: status as 'added' | 'changed' | 'removed',
        })),
        outOfSyncCount: differing.length,
        ...(input.actor ? { actor: input.actor } : {}), ...(input.traceId ? { traceId: input.traceId } : {}),
      };
      await deps.events.publish({ type: eventTypes.appOutOfSync, data });
    }
  }
  return comparison;
}

/** Health Missing for an app none of whose objects Tidewater applied: every desired object counts as absent. */
async function recordMissingHealth(redis: Redis, app: string, comparison: AppComparison): Promise<void> {
  const absent = comparison.objects.filter((object) => object.status === 'added');
  const health: AppHealth = {
    app, status: 'Missing', revision: comparison.revision,
    message: comparison.reason ?? `${absent.length} object${absent.length === 1 ? ' is' : 's are'} not in the cluster`,
    objects: absent.map(({ group, kind, namespace, name }) => ({ group, kind, ...(namespace ? { namespace } : {}), name, status: 'Missing' as const })),
    updatedAt: comparison.comparedAt,
  };
  await redis.set(redisKeys.appHealth(app), JSON.stringify(health));
}
