import { resourceSyncOptions, type SyncOptions } from '@tidewater/config';
import type { ObjectResult } from '@tidewater/queues';
import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { mapBounded } from '../apply/bounded-map.ts';
import { apiVersionOf, describeObject, objectKey } from '../apply/object-ref.ts';
import { resourcePath } from '../apply/resource-path.ts';
import { compareForInstall, kindRank } from '../apply/sync-plan.ts';
import { isTrackedBy } from '../apply/tracking.ts';
import type { InventoryEntry } from './inventory.ts';
import type { PruneJournal } from './prune-journal.ts';

export interface PruneInput {
  app: string;
  /** Objects of the previous inventory that the new bundle no longer holds. */
  candidates: readonly InventoryEntry[];
  clusters: ClusterRegistry;
  appOptions: SyncOptions;
  propagationPolicy: 'Background' | 'Foreground' | 'Orphan';
  concurrency: number;
  /** Called once per deleted object (publishes resourcePruned). */
  onPruned(entry: InventoryEntry): Promise<void>;
  /**
   * `Prune=confirm` deletions an operator confirmed: all of them (control request `confirm-prune`), or those whose
   * objectKey is in the set (the Application's `argocd.argoproj.io/deletion-approved` annotation).
   */
  confirmed?: boolean | ReadonlySet<string>;
  /** Records each DELETE until its event is published, so a retry after a crash owes no event and repeats none. */
  journal?: PruneJournal;
}

export interface PruneOutcome {
  results: ObjectResult[];
  /** Candidates still live and still ours (Prune=false, Prune=confirm, failed deletes): they stay in the inventory. */
  kept: InventoryEntry[];
  /** Prune=confirm objects kept until an operator confirms (a subset of `kept`). */
  awaitingConfirmation: InventoryEntry[];
}

/** The result message of an object kept by Prune=confirm. */
export const awaitingConfirmationMessage = 'waiting for prune confirmation (sync option Prune=confirm)';

interface PruneTarget {
  entry: InventoryEntry;
  path: string;
  last: boolean;
}

const identityOf = (entry: InventoryEntry) => ({ group: entry.group, kind: entry.kind, namespace: entry.namespace, name: entry.name });

/**
 * Deletes objects that left the bundle. Each is read first and deleted only when it still carries this
 * application's tracking id, and not when its live `argocd.argoproj.io/sync-options` (over the application's
 * options) says Prune=false, nor, until confirmed, Prune=confirm. Deletion runs in reverse install order,
 * PruneLast objects after all others, with the given propagation policy.
 */
export async function pruneObjects(input: PruneInput): Promise<PruneOutcome> {
  const results: ObjectResult[] = [];
  const kept: InventoryEntry[] = [];
  const awaitingConfirmation: InventoryEntry[] = [];
  const targets: PruneTarget[] = [];

  await mapBounded(input.candidates, input.concurrency, async (entry) => {
    const client = input.clusters.byName(entry.cluster);
    if (!client) {
      results.push({ ...identityOf(entry), outcome: 'skipped', message: `not pruned: cluster ${entry.cluster} is no longer configured` });
      return;
    }
    const info = await client.discovery.find(apiVersionOf(entry), entry.kind);
    if (!info) return; // the kind is no longer served (its CRD is gone), so the object is gone too
    const path = resourcePath(entry, info);
    const live = await client.transport.request<{ metadata?: { annotations?: Record<string, string> } }>({ method: 'GET', path });
    if (live.status === 404) {
      // Deleted by an earlier attempt that died before its event: publish it now, once.
      if (await input.journal?.owesEvent(entry)) {
        results.push({ ...identityOf(entry), outcome: 'pruned' });
        await input.onPruned(entry);
        await input.journal?.done(entry);
      }
      return;
    }
    if (live.status !== 200) {
      if (isRetryableStatus(live.status)) throw retryableStatusError(client.name, live, `reading ${describeObject(entry)} to prune it`);
      results.push({ ...identityOf(entry), outcome: 'failed', message: `${describeObject(entry)}: cannot read it to prune it: ${live.status} ${statusMessage(live)}` });
      kept.push(entry);
      return;
    }
    if (!isTrackedBy(input.app, entry, live.body.metadata?.annotations)) {
      results.push({ ...identityOf(entry), outcome: 'skipped', message: `not pruned: the live object is not tracked by application ${input.app}` });
      return;
    }
    const options = resourceSyncOptions(live.body, input.appOptions);
    if (!options.prune) {
      results.push({ ...identityOf(entry), outcome: 'skipped', message: 'not pruned: sync option Prune=false' });
      kept.push(entry);
      return;
    }
    const confirmed = input.confirmed === true || (input.confirmed instanceof Set && input.confirmed.has(objectKey(entry.cluster, entry)));
    if (options.pruneConfirm && !confirmed) {
      results.push({ ...identityOf(entry), outcome: 'skipped', message: awaitingConfirmationMessage });
      kept.push(entry);
      awaitingConfirmation.push(entry);
      return;
    }
    targets.push({ entry, path, last: options.pruneLast });
  });

  // Reverse install order (Deployments before their ConfigMaps, Namespaces last), PruneLast objects at the very end.
  const tiers = new Map<string, PruneTarget[]>();
  for (const target of targets) {
    const tierKey = `${target.last ? 1 : 0}|${String(1_000 - kindRank(target.entry.kind)).padStart(4, '0')}`;
    tiers.set(tierKey, [...(tiers.get(tierKey) ?? []), target]);
  }
  for (const tierKey of [...tiers.keys()].sort()) {
    await mapBounded(tiers.get(tierKey)!, input.concurrency, async ({ entry, path }) => {
      const client = input.clusters.byName(entry.cluster)!;
      await input.journal?.begin(entry);
      const deleted = await client.transport.request({ method: 'DELETE', path: `${path}?propagationPolicy=${input.propagationPolicy}` });
      if (deleted.status === 200 || deleted.status === 202 || deleted.status === 404) {
        results.push({ ...identityOf(entry), outcome: 'pruned' });
        await input.onPruned(entry);
        await input.journal?.done(entry);
        return;
      }
      if (isRetryableStatus(deleted.status)) throw retryableStatusError(client.name, deleted, `pruning ${describeObject(entry)}`);
      results.push({ ...identityOf(entry), outcome: 'failed', message: `${describeObject(entry)}: cannot prune it: ${deleted.status} ${statusMessage(deleted)}` });
      kept.push(entry);
    });
  }
  results.sort((a, b) => compareForInstall(a, b));
  return { results, kept, awaitingConfirmation };
}
