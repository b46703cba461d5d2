import { applicationSyncOptions, resourceSyncOptions, syncWaveOf, type AppProject, type ArgoApplication, type SyncOptions } from '@tidewater/config';
import type { KubernetesObject, ObjectResult, RenderedBundle } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { Redis } from 'ioredis';
import type { ClusterClient, ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { ResourceInfo } from '../discovery/resource-discovery.ts';
import { SyncFailure } from '../errors/sync-failure.ts';
import { mapBounded } from '../apply/bounded-map.ts';
import { definedKindKey, kindsDefinedBy, refreshUntilServed, waitForEstablished } from '../apply/custom-resource-definitions.ts';
import { describeObject, objectKey, splitApiVersion, type ObjectRef } from '../apply/object-ref.ts';
import { respectIgnoreDifferences } from '../apply/ignore-differences.ts';
import { ignoreRulesOf } from '../diff/ignore-differences.ts';
import { managedNamespace } from '../apply/managed-namespace.ts';
import { type AppliedObject } from '../apply/server-side-apply.ts';
import { syncObject } from '../apply/sync-object.ts';
import { desiredManifest, isCustomResourceDefinition, isNamespace, orderSteps, type PlannedObject, type SyncStep } from '../apply/sync-plan.ts';
import { checkProjectGuardrails } from '../guardrails/project-guardrails.ts';
import { readInventory, writeInventory, type InventoryEntry } from '../prune/inventory.ts';
import { approvedByAnnotation } from '../prune/deletion-approval.ts';
import { pendingPruneMessage, readPendingPrune, recordPendingPrune } from '../prune/pending-prune.ts';
import { prunePropagationPolicy } from '../prune/propagation-policy.ts';
import { pruneObjects } from '../prune/prune-objects.ts';
import { createPruneJournal } from '../prune/prune-journal.ts';
import { planHooks } from '../hooks/plan-hooks.ts';
import { createHookRun, type HookRun } from '../hooks/run-hooks.ts';
import { splitHooks } from '../hooks/split-hooks.ts';
import { resolveDeferredKinds } from '../apply/deferred-kinds.ts';
import { isSelected } from './resource-selection.ts';
import type { SyncOperationInput } from './sync-operation-input.ts';
import { findUnchangedObjects, liveContentFingerprint, manifestFingerprint, readAppliedFingerprints, writeAppliedFingerprints, type AppliedFingerprint, type UnchangedObjects } from '../apply/applied-fingerprints.ts';

export interface RunSyncInput {
  application: ArgoApplication;
  project: AppProject;
  bundle: RenderedBundle;
  cluster: ClusterClient;
  clusters: ClusterRegistry;
  redis: Redis;
  logger: Logger;
  /** Objects applied at once within a wave (default 16). */
  applyConcurrency: number;
  onPruned(entry: InventoryEntry): Promise<void>;
  /** An operator's sync request: its prune flag, selected resources and apply options (absent: automated sync). */
  operation?: SyncOperationInput;
  /** Aborted when the operation is terminated: the sync stops at the next object and fails with the reason. */
  signal?: AbortSignal;
  /**
   * The application's lock fence: called before each apply batch (namespaces, CRDs, each wave), before each object's
   * write and before the prune;
   * throws (AppLockLost) when the lock is no longer this holder's, so an old holder stops before the new one applies.
   */
  assertLockHeld?: () => Promise<void>;
}

export interface RunSyncOutput {
  phase: 'Succeeded' | 'Failed';
  message?: string;
  objects: ObjectResult[];
}

// Waves with more objects than this log their progress at info level.
const largeSyncObjects = 100;

/**
 * Applies one bundle to its destination: resolve kinds, check the project's guardrails for every object,
 * apply namespaces, CRDs and each sync wave in order, prune what left the bundle, and record the inventory.
 * Permanent problems return a Failed output (or throw SyncFailure before anything was applied); cluster
 * trouble throws ExternalServiceError so the job is retried.
 */
export async function runSync(input: RunSyncInput): Promise<RunSyncOutput> {
  const { application, cluster } = input;
  const appName = application.metadata.name;
  // Effective options: the Application's (merged with a sync operation's), then each object's annotation.
  const appOptions = applicationSyncOptions(application, input.operation);
  const destinationNamespace = application.spec.destination.namespace || undefined;
  const [previousInventory, recordedFingerprints] = await Promise.all([readInventory(input.redis, appName), readAppliedFingerprints(input.redis, appName)]);
  const previousByKey = new Map(previousInventory.map((entry) => [objectKey(entry.cluster, entry), entry]));

  // Hooks (argocd.argoproj.io/hook, helm.sh/hook) run around the sync and never join the inventory.
  const bundleParts = splitHooks(input.bundle.objects, { revision: input.bundle.revision, startedAt: new Date() });
  if (bundleParts.skipped.length > 0) {
    input.logger.info({ objects: bundleParts.skipped.slice(0, 20).map((object) => `${describeObject(object)}: ${object.message}`) }, 'rendered objects not applied (Skip, PostDelete or Helm hooks without an Argo CD equivalent)');
  }
  const planned = await planObjects(input, bundleParts.resources, appOptions, destinationNamespace, previousByKey);
  if ('failed' in planned) return planned.failed;
  const selection = input.operation?.resources;
  const objects = planned.objects.filter((object) => isSelected(selection, object.ref));
  // A selective sync runs no hooks, as in Argo CD.
  const plannedHooks = await planHooks(selection ? [] : bundleParts.hooks, { app: appName, cluster, destinationNamespace });
  if ('failed' in plannedHooks) return { phase: 'Failed', message: plannedHooks.failed[0].message, objects: plannedHooks.failed };

  if (appOptions.createNamespace && destinationNamespace && !objects.some((object) => isNamespace(object.ref) && object.ref.name === destinationNamespace)) {
    objects.push(managedNamespace(application, destinationNamespace, previousByKey.get(objectKey(cluster.name, { group: '', kind: 'Namespace', name: destinationNamespace }))?.resourceVersion));
  }

  checkProjectGuardrails({
    appName,
    project: input.project,
    repoURL: application.spec.source.repoURL,
    // Argo CD matches the destination as the Application names it (e.g. https://kubernetes.default.svc for the
    // in-cluster Cluster), filling the other half from the resolved Cluster.
    destination: {
      name: application.spec.destination.name ?? cluster.name,
      server: application.spec.destination.server ?? cluster.server,
      namespace: destinationNamespace,
    },
    objects: [...objects, ...plannedHooks.hooks.map((hook) => hook.planned)],
  });

  const automated = application.spec.syncPolicy?.automated;
  const pruneEnabled = input.operation ? input.operation.prune : automated !== undefined && automated.enabled !== false && automated.prune === true;
  const trackedObjects = objects.filter((object) => !object.managedNamespace);
  const previouslyTracked = previousInventory.filter((entry) => !entry.managedNamespace).length;
  if (!selection && trackedObjects.length === 0 && previouslyTracked > 0 && pruneEnabled && !automated?.allowEmpty) {
    throw new SyncFailure(`refusing to prune all ${previouslyTracked} objects of application ${appName}: the bundle is empty and syncPolicy.automated.allowEmpty is not true`);
  }

  await respectIgnoreDifferences({ application, options: appOptions, transport: cluster.transport, objects });
  const hookRun = createHookRun(plannedHooks.hooks, { transport: cluster.transport, app: appName, logger: input.logger });
  // Objects whose manifest and live content are what the last sync left need no PATCH (applied-fingerprints.ts).
  const unchanged = await findUnchangedObjects({ transport: cluster.transport, cluster: cluster.name, app: appName, objects, recorded: recordedFingerprints });
  const applied = await applySteps(input, orderSteps(objects), hookRun, unchanged);
  await writeAppliedFingerprints(input.redis, appName, fingerprintsOf(applied, cluster.name));
  const appliedInventory = applied.results.flatMap((result, index): InventoryEntry[] => {
    const object = applied.objects[index];
    if (result.outcome === 'failed' || result.outcome === 'skipped') return [];
    return [{ ...object.ref, cluster: cluster.name, resourceVersion: result.resourceVersion, ...(object.managedNamespace ? { managedNamespace: true } : {}) }];
  });
  const results: ObjectResult[] = applied.results.map(({ resourceVersion: _resourceVersion, liveObject: _liveObject, ...result }) => result);
  results.push(...bundleParts.skipped);
  // A selective sync leaves what it did not select as it was, in the cluster and in the inventory.
  const unselected = selection ? previousInventory.filter((entry) => !isSelected(selection, entry)) : [];

  if (applied.failure) {
    // Keep what the previous inventory tracked plus what this attempt created, so a later sync can still prune it.
    const appliedKeys = new Set(appliedInventory.map((entry) => objectKey(entry.cluster, entry)));
    await writeInventory(input.redis, appName, [
      ...previousInventory.filter((entry) => !appliedKeys.has(objectKey(entry.cluster, entry))),
      ...appliedInventory,
    ]);
    const message = await withSyncFailHooks(hookRun, applied.failure);
    return { phase: 'Failed', message, objects: [...results, ...hookRun.results] };
  }

  // An object that became a hook leaves the inventory without being pruned: the hook run owns it now.
  const desiredKeys = new Set([...trackedObjects, ...plannedHooks.hooks.map((hook) => hook.planned)].map((object) => objectKey(cluster.name, object.ref)));
  const leftBundle = previousInventory.filter((entry) => !entry.managedNamespace && !desiredKeys.has(objectKey(entry.cluster, entry)) && isSelected(selection, entry));
  let kept: InventoryEntry[] = leftBundle;
  let pruneFailure: string | undefined;
  let awaitingConfirmation: InventoryEntry[] = [];
  if (leftBundle.length > 0 && pruneEnabled && !input.signal?.aborted) {
    await input.assertLockHeld?.();
    const pruned = await pruneObjects({
      app: appName,
      candidates: leftBundle,
      clusters: input.clusters,
      appOptions,
      propagationPolicy: prunePropagationPolicy(appOptions),
      concurrency: input.applyConcurrency,
      onPruned: input.onPruned,
      journal: createPruneJournal(input.redis, appName),
      confirmed: approvedByAnnotation(application, await readPendingPrune(input.redis, appName)),
    });
    results.push(...pruned.results);
    kept = pruned.kept;
    awaitingConfirmation = pruned.awaitingConfirmation;
    pruneFailure = pruned.results.find((result) => result.outcome === 'failed')?.message;
  } else if (leftBundle.length > 0) {
    for (const entry of leftBundle) {
      results.push({ group: entry.group, kind: entry.kind, namespace: entry.namespace, name: entry.name, outcome: 'skipped', message: (input.operation ? 'not pruned: the sync request did not ask for prune' : 'not pruned: automated prune is off for this application') });
    }
  }
  await writeInventory(input.redis, appName, [...appliedInventory, ...kept, ...unselected]);
  await recordPendingPrune(input.redis, appName, input.bundle.revision, awaitingConfirmation);
  const failure = pruneFailure ?? await hookRun.runPostSync(applied.objects.filter((_object, index) => applied.results[index].outcome !== 'skipped'));
  if (failure) return { phase: 'Failed', message: await withSyncFailHooks(hookRun, failure), objects: [...results, ...hookRun.results] };
  // Argo CD keeps the operation Syncing until the prune is confirmed; Tidewater reports the sync and what waits.
  const waiting = awaitingConfirmation.length > 0 ? { message: pendingPruneMessage(awaitingConfirmation) } : {};
  return { phase: 'Succeeded', ...waiting, objects: [...results, ...hookRun.results] };
}

/** After a failure: run the SyncFail hooks, and say so when one of them fails too. */
async function withSyncFailHooks(hookRun: HookRun, failure: string): Promise<string> {
  const syncFailFailure = await hookRun.runPhase('SyncFail');
  return syncFailFailure ? `${failure}; ${syncFailFailure}` : failure;
}

/** Resolves every rendered object's kind on the cluster (or from a CRD in the bundle) and prepares its manifest. */
async function planObjects(
  input: RunSyncInput,
  bundleObjects: readonly KubernetesObject[],
  appOptions: SyncOptions,
  destinationNamespace: string | undefined,
  previousByKey: Map<string, InventoryEntry>,
): Promise<{ objects: PlannedObject[] } | { failed: RunSyncOutput }> {
  const { bundle, cluster } = input;
  const appName = input.application.metadata.name;
  bundleObjects.forEach((object, index) => {
    if (!object || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new SyncFailure(`object ${index} of the bundle for ${appName} at ${bundle.revision} has no apiVersion, kind or metadata.name`);
    }
  });
  const definedKinds = kindsDefinedBy(bundleObjects.filter((object) => isCustomResourceDefinition({ group: splitApiVersion(object.apiVersion).group, kind: object.kind })));
  const kindKeys = [...new Set(bundleObjects.map((object) => definedKindKey(object.apiVersion, object.kind)))];
  const resolvedKinds = new Map<string, ResourceInfo | undefined>(await Promise.all(kindKeys.map(async (key) => {
    const [apiVersion, kind] = key.split('|');
    const info = await cluster.discovery.find(apiVersion, kind) ?? definedKinds.get(key);
    return [key, info] as const;
  })));

  const unknown: ObjectResult[] = [];
  const byKey = new Map<string, PlannedObject>();
  for (const object of bundleObjects) {
    const { group, version } = splitApiVersion(object.apiVersion);
    const resolvedInfo = resolvedKinds.get(definedKindKey(object.apiVersion, object.kind));
    const name = object.metadata.name;
    const options = resourceSyncOptions(object, appOptions);
    // SkipDryRunOnMissingResource: a kind not served yet (its CRD comes from elsewhere) is resolved again at its wave.
    const deferred = !resolvedInfo && options.skipDryRunOnMissingResource;
    const info = resolvedInfo ?? (deferred ? { resource: '', namespaced: true } : undefined);
    if (!info) {
      unknown.push({
        group, kind: object.kind, namespace: object.metadata.namespace, name, outcome: 'failed',
        message: `${describeObject({ group, kind: object.kind, namespace: object.metadata.namespace, name })}: no kind ${object.kind} in group ${group || 'core'} version ${version} on cluster ${cluster.name} (is its CRD installed?)`,
      });
      continue;
    }
    const namespace = info.namespaced ? (object.metadata.namespace || destinationNamespace || 'default') : undefined;
    const ref: ObjectRef = { group, version, kind: object.kind, namespace, name };
    const key = objectKey(cluster.name, ref);
    byKey.set(key, { // a later duplicate replaces an earlier one, as with kubectl apply
      ref,
      info,
      manifest: desiredManifest(object, appName, ref, info.namespaced),
      wave: syncWaveOf(object),
      previousResourceVersion: previousByKey.get(key)?.resourceVersion,
      options,
      ...(deferred ? { unresolvedKind: true } : {}),
    });
  }
  const ignoredOptions = [...byKey.values()].flatMap((object) => (object.options?.unrecognized.length ? [`${describeObject(object.ref)}: ${object.options.unrecognized.join(',')}`] : []));
  if (ignoredOptions.length > 0) input.logger.warn({ objects: ignoredOptions.slice(0, 20) }, 'sync-options annotation entries not supported on a resource are ignored');
  if (unknown.length > 0) {
    const more = unknown.length > 1 ? ` (and ${unknown.length - 1} more)` : '';
    return { failed: { phase: 'Failed', message: `${unknown[0].message}${more}`, objects: unknown } };
  }
  return { objects: [...byKey.values()] };
}

interface AppliedSteps {
  /** In apply order, parallel to `objects`. */
  results: AppliedObject[];
  objects: PlannedObject[];
  /** Why the sync stopped: the first failed object (the rest of its step was still attempted). */
  failure?: string;
}

/**
 * Applies the steps in order with the hooks around them: namespaces first, then PreSync hooks, CRDs and each wave,
 * each wave's Sync hooks right after its objects (Sync hooks of waves without objects before the next wave).
 */
async function applySteps(input: RunSyncInput, steps: SyncStep[], hookRun: HookRun, unchanged: UnchangedObjects): Promise<AppliedSteps> {
  const { cluster, logger } = input;
  const total = steps.reduce((sum, step) => sum + step.objects.length, 0);
  const applied: AppliedSteps = { results: [], objects: [] };
  let done = 0;
  let preSyncDone = false;
  const ignoreRules = ignoreRulesOf(input.application); // ApplyOutOfSyncOnly judges "in sync" as the diff does
  const skipFrom = (stepIndex: number, message: string) => {
    for (const later of steps.slice(stepIndex).flatMap((laterStep) => laterStep.objects)) {
      const { group, kind, namespace, name } = later.ref;
      applied.results.push({ group, kind, namespace, name, outcome: 'skipped', message });
      applied.objects.push(later);
    }
  };
  for (const [stepIndex, step] of steps.entries()) {
    if (!preSyncDone && step.phase !== 'namespaces') {
      preSyncDone = true;
      const preSyncFailure = await hookRun.runPhase('PreSync');
      if (preSyncFailure) {
        applied.failure = preSyncFailure;
        skipFrom(stepIndex, 'not applied: a PreSync hook failed');
        return applied;
      }
    }
    if (step.phase === 'wave') {
      const hookFailure = await hookRun.runSyncHooksThrough(step.wave - 1);
      if (hookFailure) {
        applied.failure = hookFailure;
        skipFrom(stepIndex, 'not applied: a Sync hook of an earlier wave failed');
        return applied;
      }
    }
    await input.assertLockHeld?.();
    const unresolved = await resolveDeferredKinds(cluster, step.objects);
    const results = await mapBounded(step.objects, input.applyConcurrency, async (object): Promise<AppliedObject> => {
      if (input.signal?.aborted) return { ...identityOf(object), outcome: 'skipped', message: `not applied: ${abortReason(input.signal)}` };
      const resolved = unresolved.get(object);
      if (resolved) return resolved;
      const { group, kind, namespace, name } = object.ref;
      const unchangedLive = unchanged.unchanged.get(object);
      if (!unchangedLive) await input.assertLockHeld?.(); // fenced: no write after the lock passed to another holder
      if (unchangedLive) return { group, kind, namespace, name, outcome: 'unchanged', resourceVersion: unchangedLive.metadata.resourceVersion as string | undefined, liveObject: unchangedLive };
      const result = await syncObject(cluster.transport, object, object.options, { ignoreRules });
      // Applied although recorded (drift, or only a controller's write since): unchanged when the apply changed nothing.
      const before = unchanged.live.get(objectKey(cluster.name, object.ref));
      if (result.outcome === 'configured' && before && result.liveObject && liveContentFingerprint(before) === liveContentFingerprint(result.liveObject)) {
        return { ...result, outcome: 'unchanged' };
      }
      return result;
    });
    if (step.phase === 'crds') await awaitDefinitions(input, step.objects, results);
    applied.results.push(...results);
    applied.objects.push(...step.objects);
    done += step.objects.length;
    const progress = { phase: step.phase, wave: step.wave, objects: step.objects.length, done, total };
    if (total > largeSyncObjects) logger.info(progress, 'applied wave');
    else logger.debug(progress, 'applied wave');

    if (input.signal?.aborted) {
      // Terminated: nothing more is applied and no further hook runs.
      applied.failure = abortReason(input.signal);
      skipFrom(stepIndex + 1, `not applied: ${applied.failure}`);
      return applied;
    }
    const failed = results.filter((result) => result.outcome === 'failed');
    if (failed.length > 0) {
      const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed in this ${step.phase === 'wave' ? 'wave' : 'step'})` : '';
      applied.failure = `${failed[0].message}${more}`;
      skipFrom(stepIndex + 1, 'not applied: an earlier wave failed');
      return applied;
    }
    if (step.phase === 'wave') {
      const hookFailure = await hookRun.runSyncHooksThrough(step.wave);
      if (hookFailure) {
        applied.failure = hookFailure;
        skipFrom(stepIndex + 1, 'not applied: a Sync hook of an earlier wave failed');
        return applied;
      }
    }
  }
  applied.failure = (preSyncDone ? undefined : await hookRun.runPhase('PreSync')) ?? await hookRun.runSyncHooksThrough(Number.POSITIVE_INFINITY);
  return applied;
}

/** What to remember of this sync's objects for the next one: those applied or left unchanged, with the API server's answer. */
function fingerprintsOf(applied: AppliedSteps, clusterName: string): Map<string, AppliedFingerprint> {
  const fingerprints = new Map<string, AppliedFingerprint>();
  applied.results.forEach((result, index) => {
    if (result.outcome === 'failed' || result.outcome === 'skipped' || !result.liveObject) return;
    const object = applied.objects[index];
    fingerprints.set(objectKey(clusterName, object.ref), { manifest: manifestFingerprint(object), live: liveContentFingerprint(result.liveObject) });
  });
  return fingerprints;
}

/** After applying CRDs: wait until each is Established, then refresh discovery so their kinds are known. */
async function awaitDefinitions(input: RunSyncInput, definitions: PlannedObject[], results: AppliedObject[]): Promise<void> {
  await Promise.all(definitions.map(async (definition, index) => {
    if (results[index].outcome === 'failed') return;
    const established = await waitForEstablished(input.cluster.transport, definition.ref.name);
    if (!established.established) results[index] = { ...results[index], outcome: 'failed', message: established.message };
  }));
  const servedKinds = [...kindsDefinedBy(definitions.map((definition) => definition.manifest)).values()];
  if (servedKinds.length > 0 && !(await refreshUntilServed(input.cluster.discovery, servedKinds))) {
    input.logger.warn({ kinds: servedKinds.map((kind) => kind.kind) }, 'discovery does not list the new custom resource kinds yet; applying with the CRD names');
  }
}

function identityOf(object: PlannedObject) {
  const { group, kind, namespace, name } = object.ref;
  return { group, kind, namespace, name };
}

/** The reason a terminated operation gives (`terminated by alice`). */
function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'terminated';
}
