import type { ArgoApplication } from '@tidewater/config';
import type { ObjectOutcome, ObjectResult, RenderedBundle, SyncOperation, SyncResult } from '@tidewater/queues';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { Redis } from 'ioredis';
import { diffBundle } from '../diff/compute-app-diff.ts';
import { isSelected, parseResourceSelectors } from './resource-selection.ts';

/**
 * A dry-run sync request (`argocd app sync --dry-run`): every object is dry-run applied through the diff engine and
 * the result says what a sync would do (created, configured, unchanged, pruned or not), without changing the cluster,
 * the inventory, the status or the history.
 */
export async function dryRunOperation(
  input: { application: ArgoApplication; bundle: RenderedBundle; operation: SyncOperation; trigger: SyncResult['trigger'] },
  deps: { redis: Redis; clusters: ClusterRegistry },
): Promise<SyncResult> {
  const startedAt = new Date();
  const parsed = parseResourceSelectors(input.operation.resources ?? []);
  const selectors = 'invalid' in parsed || !input.operation.resources?.length ? undefined : parsed.selectors;
  const diff = await diffBundle(input.bundle, input.application, deps);
  const objects: ObjectResult[] = diff.objects.filter((object) => isSelected(selectors, object)).map((object) => {
    const outcome: ObjectOutcome = object.status === 'added' ? 'created' : object.status === 'changed' ? 'configured'
      : object.status === 'unchanged' ? 'unchanged' : input.operation.prune ? 'pruned' : 'skipped';
    return {
      group: object.group, kind: object.kind, ...(object.namespace ? { namespace: object.namespace } : {}), name: object.name, outcome,
      message: object.message ?? `dry run: would be ${outcome}${outcome === 'skipped' ? ' (not pruned: the request did not ask for prune)' : ''}`,
    };
  });
  const finishedAt = new Date();
  return {
    app: input.application.metadata.name, revision: input.bundle.revision, phase: 'Succeeded', message: 'dry run: nothing was applied',
    startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime(),
    objects, dryRun: true, ...(input.trigger ? { trigger: input.trigger } : {}),
  };
}
