import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import { jobIds, queueNames, type RenderedBundle, type SyncHistoryEntry, redisKeys } from '@tidewater/queues';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { apiVersionOf, objectKey } from '../apply/object-ref.ts';
import { mapBounded } from '../apply/bounded-map.ts';
import { compareWithDesired, readLiveObject, withoutServerFields } from '../drift/live-comparison.ts';
import { readInventory } from '../prune/inventory.ts';
import { readAppliedBundle, readAppliedRecord } from '../live-state/applied-bundle.ts';
import { resolveDesiredObjects } from '../live-state/desired-objects.ts';
import { ignoreRulesOf } from './ignore-differences.ts';
import { maskSecretObject, maskSecretPair } from './mask-secrets.ts';
import { toSortedYaml, toYaml, unifiedDiff } from './unified-yaml-diff.ts';

export type ObjectDiffStatus = 'changed' | 'added' | 'removed' | 'unchanged';

export interface ObjectDiff {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  status: ObjectDiffStatus;
  /** Unified diff of YAML from live to desired ('' when unchanged). */
  diff: string;
  /** Why the object could not be compared (e.g. its kind is not served), if so. */
  message?: string;
  /** The whole live and desired objects as YAML, secrets masked (the UI's live manifest and full diff). */
  liveManifest?: string;
  desiredManifest?: string;
}

export interface AppDiff {
  app: string;
  revision: string;
  objects: ObjectDiff[];
}

export interface AppDiffDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  clusters: ClusterRegistry;
  /** BullMQ prefix of the sync queue, where the bundle of a rendered but not yet synced revision is named. */
  prefix?: string;
}

/** A diff that cannot be computed as asked (unknown app, revision without a cached bundle): the message says why. */
export class DiffUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffUnavailable';
  }
}

/**
 * Desired vs live for each object of an application: the bundle of `revision` (default: what the latest sync
 * applied) against the cluster. Each desired object is dry-run applied with Tidewater's field manager and the live
 * object is compared with that result, both without status and server-set metadata, so API defaults and fields of
 * other managers never show, nor do the fields the application's ignoreDifferences names. Objects the app tracks that the bundle no longer holds are `removed` (prune).
 */
export async function computeAppDiff(input: { app: string; revision?: string }, deps: AppDiffDeps): Promise<AppDiff> {
  const application = deps.config().applications.find((candidate) => candidate.metadata.name === input.app);
  if (!application) throw new DiffUnavailable(`application ${input.app} is not defined in the configuration`);
  const bundle = await findBundle(input.app, input.revision, deps);
  return diffBundle(bundle, application, deps);
}

/** Desired vs live for a given bundle of the application (computeAppDiff finds the bundle; a comparison has it). */
export async function diffBundle(bundle: RenderedBundle, application: ArgoApplication, deps: Pick<AppDiffDeps, 'redis' | 'clusters'>): Promise<AppDiff> {
  const input = { app: application.metadata.name };
  const cluster = deps.clusters.forDestination(application.spec.destination);
  const desiredObjects = await resolveDesiredObjects(bundle, application, cluster);
  const desiredKeys = new Set(desiredObjects.map((desired) => desired.key));
  const ignore = { rules: ignoreRulesOf(application) };

  const compared = await mapBounded(desiredObjects, 8, async (desired): Promise<ObjectDiff> => {
    const { group, kind, namespace, name } = desired.ref;
    const identity = { group, kind, ...(namespace ? { namespace } : {}), name };
    const label = [kind, namespace, name].filter(Boolean).join('/');
    if (!desired.planned) {
      return {
        ...identity, status: 'added', diff: unifiedDiff(label, '', toYaml(maskSecretObject(bundleObject(bundle, desired.ref)))),
        message: `no kind ${kind} in group ${group || 'core'} on cluster ${cluster.name} (is its CRD installed?)`,
      };
    }
    const live = await readLiveObject(cluster.transport, desired.planned);
    const desiredText = toYaml(maskSecretObject(desired.planned.manifest));
    const desiredManifest = toSortedYaml(maskSecretObject(desired.planned.manifest));
    if (!live) return { ...identity, status: 'added', diff: unifiedDiff(label, '', desiredText), desiredManifest };
    const outcome = await compareWithDesired(cluster.transport, desired.planned, live, ignore);
    if (outcome.kind === 'missing') return { ...identity, status: 'added', diff: unifiedDiff(label, '', desiredText), desiredManifest };
    if (outcome.kind === 'rejected') {
      return { ...identity, status: 'changed', diff: '', message: outcome.message, liveManifest: toSortedYaml(maskSecretObject(withoutServerFields(live))), desiredManifest };
    }
    if (outcome.kind === 'in-sync') {
      // The compared pair (live, and live after Tidewater's apply): the same object twice, whole, for the UI's live manifest.
      const same = maskSecretPair(outcome.compared.live, outcome.compared.afterApply);
      return { ...identity, status: 'unchanged', diff: '', liveManifest: toSortedYaml(same.live), desiredManifest: toSortedYaml(same.desired) };
    }
    // Differences as text: live → what live would be after Tidewater's apply, without the fields ignoreDifferences names.
    // Secret values never leave the cluster in a diff: masked as Argo CD does (`++++++++`, one more `+` per other value).
    const masked = maskSecretPair(outcome.compared.live, outcome.compared.afterApply);
    const diff = unifiedDiff(label, toYaml(masked.live), toYaml(masked.desired));
    return { ...identity, status: 'changed', diff, liveManifest: toSortedYaml(masked.live), desiredManifest: toSortedYaml(masked.desired) };
  });

  const inventory = await readInventory(deps.redis, input.app);
  const leftovers = inventory.filter((entry) => !entry.managedNamespace && entry.cluster === cluster.name && !desiredKeys.has(objectKey(entry.cluster, entry)));
  const removed = (await mapBounded(leftovers, 8, async (entry): Promise<ObjectDiff[]> => {
    const info = await cluster.discovery.find(apiVersionOf(entry), entry.kind);
    if (!info) return [];
    const live = await readLiveObject(cluster.transport, { ref: entry, info });
    if (!live) return [];
    const label = [entry.kind, entry.namespace, entry.name].filter(Boolean).join('/');
    return [{
      group: entry.group, kind: entry.kind, ...(entry.namespace ? { namespace: entry.namespace } : {}), name: entry.name,
      status: 'removed', diff: unifiedDiff(label, toYaml(maskSecretObject(withoutServerFields(live))), ''), liveManifest: toSortedYaml(maskSecretObject(withoutServerFields(live))),
    }];
  })).flat();

  return { app: input.app, revision: bundle.revision, objects: [...compared, ...removed] };
}

function bundleObject(bundle: RenderedBundle, ref: { kind: string; name: string }) {
  return bundle.objects.find((object) => object.kind === ref.kind && object.metadata?.name === ref.name);
}

/** The bundle of `revision`: the applied copy, a queued or recent sync job's bundle, or one from the app's history. */
async function findBundle(app: string, revision: string | undefined, deps: AppDiffDeps): Promise<RenderedBundle> {
  const record = await readAppliedRecord(deps.redis, app);
  if (!revision || record?.revision === revision) {
    const applied = await readAppliedBundle(deps.redis, app);
    if (applied) return applied;
    if (!revision) throw new DiffUnavailable(`application ${app} has not been synced yet; name a revision whose render finished to diff it`);
  }
  const candidates: string[] = [];
  const queue = new Queue(queueNames.sync, { connection: deps.redis, ...(deps.prefix ? { prefix: deps.prefix } : {}) });
  try {
    const job = await queue.getJob(jobIds.sync(app, revision!));
    const bundleKey = (job?.data as { bundleKey?: unknown } | undefined)?.bundleKey;
    if (typeof bundleKey === 'string') candidates.push(bundleKey);
  } finally {
    await queue.close();
  }
  const history = await deps.redis.lrange(redisKeys.history(app), 0, -1);
  for (const raw of history) {
    const entry = JSON.parse(raw) as SyncHistoryEntry;
    if (entry.revision === revision && entry.bundleKey) candidates.push(entry.bundleKey);
  }
  for (const bundleKey of candidates) {
    const raw = await deps.redis.get(bundleKey);
    if (raw) return JSON.parse(raw) as RenderedBundle;
  }
  throw new DiffUnavailable(`no rendered bundle of ${app} at ${revision} is cached; render that revision (push, or rollback to it) and ask again`);
}
