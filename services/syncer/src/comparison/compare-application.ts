import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import type { AppComparison, ComparedObject, RenderedBundle } from '@tidewater/queues';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { diffBundle, type AppDiff } from '../diff/compute-app-diff.ts';
import { recordComparison } from './comparison-record.ts';

export interface CompareDeps {
  redis: Redis;
  events: EventPublisher;
  clusters: ClusterRegistry;
}

/**
 * Compares a rendered bundle with the cluster without changing anything (the diff engine's dry-run applies) and
 * records the outcome as the app's sync status: what a non-automated Application gets on every push and reconcile.
 */
export async function compareApplication(
  input: { application: ArgoApplication; bundle: RenderedBundle; bundleKey: string; actor?: string; traceId?: string },
  deps: CompareDeps,
): Promise<{ comparison: AppComparison; diff: AppDiff }> {
  const diff = await diffBundle(input.bundle, input.application, deps);
  const objects: ComparedObject[] = diff.objects.map(({ group, kind, namespace, name, status }) => ({ group, kind, ...(namespace ? { namespace } : {}), name, status }));
  const outOfSync = objects.some((object) => object.status !== 'unchanged');
  const comparison = await recordComparison(deps, {
    application: input.application, revision: input.bundle.revision, bundleKey: input.bundleKey,
    status: outOfSync ? 'OutOfSync' : 'Synced', objects,
    ...(input.actor ? { actor: input.actor } : {}), ...(input.traceId ? { traceId: input.traceId } : {}),
  });
  return { comparison, diff };
}
