import type { Redis } from 'ioredis';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { redisKeys, type AppHealth, type BundleSigningKey, type ObjectHealth } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { ClusterClient, ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { ResourceInfo } from '../discovery/resource-discovery.ts';
import { describeObject, objectKey } from '../apply/object-ref.ts';
import { trackingLabel } from '../apply/tracking.ts';
import { readInventory } from '../prune/inventory.ts';
import { appLockKey, tryAcquireAppLock } from '../sync/app-lock.ts';
import { syncInProgressKey } from '../sync/sync-in-progress.ts';
import { aggregateHealth, assessHealth, missingHealth, parseHealthRules, unknownHealth, type HealthRule } from '../health/index.ts';
import { driftEventObject, type AppDrift, type DriftedObject } from '../drift/app-drift.ts';
import { detectDrift, type DriftCheckTarget, type DriftMemory } from '../drift/drift-detection.ts';
import type { LiveObject } from '../drift/live-comparison.ts';
import { createHealMemory, defaultSelfHealPolicy, planHeals, reapplyObjects, type HealMemory, type SelfHealPolicy } from '../drift/self-heal.ts';
import { ignoreRulesKey, keepIgnoredWhenHealing, warnInvalidIgnoreRules } from '../drift/ignore-rules.ts';
import { ignoreRulesOf } from '../diff/ignore-differences.ts';
import { appliedRecordKey, readAppliedBundle, type AppliedBundleRecord } from './applied-bundle.ts';
import { resolveDesiredObjects, type DesiredObject } from './desired-objects.ts';
import { isAtLeastVersion } from './resource-version.ts';
import { createResourceWatch, resourceName, type ResourceWatch, type ResourceWatchOptions, type WatchStatus } from './resource-watch.ts';

export interface LiveStateDeps {
  config: () => TidewaterConfig;
  /** Reads bundles, inventories and locks; writes health and drift. */
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  clusters: ClusterRegistry;
  /** Self-heal re-applies only an applied bundle whose renderer signature verifies under this key. */
  bundleSigningKey: BundleSigningKey;
  /** Watch events of one application within this window make one evaluation (default 100 ms). */
  debounceMs?: number;
  /** How long a failing watch may serve its last state before its objects count as Unknown (default 10 s). */
  staleAfterMs?: number;
  /** How long an evaluation waits for the watches to show what a sync applied (default 5 s). */
  observeTimeoutMs?: number;
  /** How often configured applications are re-read (syncs by other replicas, config reloads; default 30 s). */
  rescanIntervalMs?: number;
  selfHeal?: Partial<SelfHealPolicy>;
  /**
   * Asked inside the application's lock right before a self-heal re-applies anything (the leader election's
   * stillLeads): false stops the heal, so a deposed leader that has not noticed yet does not write.
   */
  mayHeal?: () => Promise<boolean>;
  watch?: Pick<ResourceWatchOptions, 'inactivityTimeoutMs' | 'retryDelayMs' | 'namespace'>;
}

export interface WatchInfo {
  cluster: string;
  resource: string;
  status: WatchStatus;
  objects: number;
}

/** Health and drift of every synced application, from watches of the objects Tidewater manages. */
export interface LiveState {
  /** Loads every configured application's applied bundle and starts the watches it needs. */
  start(): Promise<void>;
  /** Re-reads what the application's latest sync applied, then evaluates health and drift (called after each sync). */
  refreshApp(app: string): Promise<void>;
  watches(): WatchInfo[];
  /** Drops every watch connection as a network failure would (tests, diagnostics). */
  interruptWatches(): void;
  close(): Promise<void>;
}

type Observation =
  | { kind: 'live'; object: LiveObject }
  | { kind: 'absent' }
  /** The watches have not shown the version the latest sync applied yet. */
  | { kind: 'pending'; object?: LiveObject }
  | { kind: 'unreadable'; message: string };

interface AppState {
  name: string;
  cluster?: string;
  /** The applied record as stored (compared to notice a new sync). */
  recordRaw?: string;
  record?: AppliedBundleRecord;
  desired: Map<string, DesiredObject>;
  /** resourceVersion each object had after the latest sync: the watch must show at least this. */
  appliedVersions: Map<string, string>;
  /** Objects whose live state changed since drift last looked at them. */
  dirty: Set<string>;
  driftMemory: DriftMemory;
  healMemory: HealMemory;
  lastHealth?: AppHealth;
  healthLoaded: boolean;
  lastDriftRaw?: string;
  timer?: NodeJS.Timeout;
  dueAt?: number;
  /** Wakes the application when a self-heal back-off ends. */
  backoffTimer?: NodeJS.Timeout;
  backoffDueAt?: number;
  running: boolean;
  rerun: boolean;
  pendingSince?: number;
  /** The application's ignoreDifferences as last judged with: when they change, every object is judged again. */
  ignoreKey?: string;
}

const watchKey = (cluster: string, info: Pick<ResourceInfo, 'group' | 'resource'>) => `${cluster}|${info.group}|${info.resource}`;
const healthSummary = (health: AppHealth) => JSON.stringify({ ...health, updatedAt: undefined });

/**
 * The syncer's live state: per cluster, one list+watch per resource type any application's applied bundle uses
 * (selected by the tracking label). Each change re-evaluates its application (debounced): object health →
 * AppHealth at redisKeys.appHealth with a healthChanged event when the status changes; drift of the fields
 * Tidewater owns → redisKeys.appDrift with driftDetected, and with syncPolicy.automated.selfHeal a prompt
 * re-apply under the application's sync lock (driftHealed), backing off from a fight (driftContested).
 * Runs once per syncer deployment: createSyncer starts it unless `liveState: false`, and with `leaderElection` only
 * while its replica leads.
 */
export function createLiveState(deps: LiveStateDeps): LiveState {
  const logger = deps.logger.child({ component: 'live-state' });
  const debounceMs = deps.debounceMs ?? 100;
  const staleAfterMs = deps.staleAfterMs ?? 10_000;
  const observeTimeoutMs = deps.observeTimeoutMs ?? 5_000;
  const healPolicy: SelfHealPolicy = { ...defaultSelfHealPolicy, ...deps.selfHeal };
  const apps = new Map<string, AppState>();
  /** object key → the application whose applied bundle holds it. */
  const owners = new Map<string, AppState>();
  const watches = new Map<string, ResourceWatch>();
  const watchFailureReported = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  let rescanTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let rulesSource: unknown[] | undefined;
  let rules: HealthRule[] | undefined;

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  function healthRules(): HealthRule[] {
    const documents = deps.config().otherDocuments;
    if (rules === undefined || rulesSource !== documents) {
      rulesSource = documents;
      const parsed = parseHealthRules(documents);
      for (const error of parsed.errors) logger.warn({ reason: error }, 'HealthRule ignored');
      rules = parsed.rules;
    }
    return rules;
  }

  function applicationNamed(app: string): ArgoApplication | undefined {
    return deps.config().applications.find((candidate) => candidate.metadata.name === app);
  }

  function stateOf(app: string): AppState {
    let state = apps.get(app);
    if (!state) {
      state = {
        name: app, desired: new Map(), appliedVersions: new Map(), dirty: new Set(),
        driftMemory: { drift: new Map(), judged: new Map() }, healMemory: createHealMemory(),
        healthLoaded: false, running: false, rerun: false,
      };
      apps.set(app, state);
    }
    return state;
  }

  function schedule(state: AppState, delayMs: number) {
    if (closed) return;
    const dueAt = Date.now() + delayMs;
    if (state.timer && state.dueAt !== undefined && state.dueAt <= dueAt) return;
    if (state.timer) clearTimeout(state.timer);
    state.dueAt = dueAt;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.dueAt = undefined;
      if (state.running) {
        state.rerun = true;
        return;
      }
      state.running = true;
      void track(evaluate(state).catch((error: unknown) => {
        logger.error({ app: state.name, reason: (error as Error).message }, 'live-state evaluation failed');
        schedule(state, 1_000);
      }).finally(() => {
        state.running = false;
        if (state.rerun) {
          state.rerun = false;
          schedule(state, debounceMs);
        }
      }));
    }, Math.max(0, delayMs));
    state.timer.unref();
  }

  function forget(state: AppState) {
    if (state.timer) clearTimeout(state.timer);
    if (state.backoffTimer) clearTimeout(state.backoffTimer);
    for (const key of state.desired.keys()) if (owners.get(key) === state) owners.delete(key);
    apps.delete(state.name);
  }

  // ---- watches -------------------------------------------------------------------------------------------

  function ensureWatch(cluster: ClusterClient, info: ResourceInfo): ResourceWatch {
    const key = watchKey(cluster.name, info);
    const existing = watches.get(key);
    if (existing) return existing;
    const watch = createResourceWatch({
      cluster, resource: info, labelSelector: trackingLabel, logger,
      ...deps.watch,
      onEvent: (_kind, object) => {
        const objectRef = { group: info.group, kind: info.kind, namespace: object.metadata?.namespace, name: object.metadata?.name ?? '' };
        const state = owners.get(objectKey(cluster.name, objectRef));
        if (!state) return;
        state.dirty.add(objectKey(cluster.name, objectRef));
        schedule(state, debounceMs);
      },
      onStatus: (status) => onWatchStatus(cluster.name, info, status),
    });
    watches.set(key, watch);
    return watch;
  }

  function appsWatching(cluster: string, info: Pick<ResourceInfo, 'group' | 'resource'>): AppState[] {
    return [...apps.values()].filter((state) => state.cluster === cluster
      && [...state.desired.values()].some((desired) => desired.info?.group === info.group && desired.info.resource === info.resource));
  }

  function onWatchStatus(cluster: string, info: ResourceInfo, status: WatchStatus) {
    if (closed) return;
    const key = watchKey(cluster, info);
    const resource = resourceName(info);
    const affected = appsWatching(cluster, info);
    if (status.phase === 'failing') {
      if (!watchFailureReported.has(key)) {
        watchFailureReported.add(key);
        void track(deps.events.publish({ type: eventTypes.watchFailed, data: { cluster, resource, reason: status.reason } }).catch(() => undefined));
      }
      // Its objects turn Unknown once the last state it served is too old to trust.
      for (const state of affected) schedule(state, staleAfterMs + 10);
      return;
    }
    if (status.phase === 'ready') {
      if (watchFailureReported.delete(key)) {
        logger.info({ cluster, resource }, 'watch re-established');
        void track(deps.events.publish({ type: eventTypes.watchRestored, data: { cluster, resource } }).catch(() => undefined));
      }
      for (const state of affected) {
        for (const [objectKeyValue, desired] of state.desired) {
          if (desired.info?.group === info.group && desired.info.resource === info.resource) state.dirty.add(objectKeyValue);
        }
        schedule(state, debounceMs);
      }
    }
  }

  function observe(state: AppState, desired: DesiredObject, patient: boolean): Observation {
    if (!desired.info || !state.cluster) {
      return {
        kind: 'unreadable',
        message: `no kind ${desired.ref.kind} in group ${desired.ref.group || 'core'} version ${desired.ref.version} on cluster ${state.cluster ?? '(unknown)'} (is its CRD installed?)`,
      };
    }
    const watch = watches.get(watchKey(state.cluster, desired.info));
    if (!watch) return patient ? { kind: 'pending' } : { kind: 'unreadable', message: `${resourceName(desired.info)} on cluster ${state.cluster} is not watched` };
    const status = watch.status();
    const failingTooLong = status.phase === 'failing' && Date.now() - status.since >= staleAfterMs;
    if (!status.listed || failingTooLong) {
      if (status.phase !== 'failing' && patient) return { kind: 'pending' };
      const why = status.reason ? `: ${status.reason}` : '';
      return { kind: 'unreadable', message: `live state unknown: the watch of ${resourceName(desired.info)} on cluster ${state.cluster} is not working${why}` };
    }
    const object = watch.get(desired.ref.namespace, desired.ref.name);
    const applied = state.appliedVersions.get(desired.key);
    if (object) {
      if (isAtLeastVersion(object.metadata?.resourceVersion as string | undefined, applied)) return { kind: 'live', object };
      return patient ? { kind: 'pending', object } : { kind: 'live', object };
    }
    if (isAtLeastVersion(watch.latestResourceVersion(), applied)) return { kind: 'absent' };
    return patient ? { kind: 'pending' } : { kind: 'unreadable', message: `${describeObject(desired.ref)} has not been observed yet` };
  }

  // ---- evaluation ----------------------------------------------------------------------------------------

  async function evaluate(state: AppState): Promise<void> {
    if (closed || !state.record || !state.cluster) return;
    // While a sync of the application runs (or a crashed one waits for its retry), its objects change under it;
    // the sync refreshes the app when done.
    if (await deps.redis.exists(appLockKey(state.name), syncInProgressKey(state.name)) > 0) {
      schedule(state, 250);
      return;
    }
    const now = Date.now();
    const patient = state.pendingSince === undefined || now - state.pendingSince < observeTimeoutMs;
    const observations = [...state.desired.values()].map((desired) => ({ desired, observation: observe(state, desired, patient) }));
    if (patient && observations.some(({ observation }) => observation.kind === 'pending')) {
      state.pendingSince ??= now;
      schedule(state, 50);
      return;
    }
    state.pendingSince = undefined;
    await publishHealth(state, observations);
    await checkDrift(state, observations);
  }

  async function publishHealth(state: AppState, observations: Array<{ desired: DesiredObject; observation: Observation }>) {
    const record = state.record!;
    const currentRules = healthRules();
    const objects: ObjectHealth[] = observations.map(({ desired, observation }) => {
      const assessment = observation.kind === 'live' ? assessHealth(observation.object, currentRules)
        : observation.kind === 'absent' ? missingHealth()
          : observation.kind === 'pending' ? { status: 'Progressing' as const, message: 'waiting for the applied version to be observed' }
            : unknownHealth(observation.message);
      const { group, kind, namespace, name } = desired.ref;
      return { group, kind, ...(namespace ? { namespace } : {}), name, status: assessment.status, ...(assessment.message ? { message: assessment.message } : {}) };
    });
    const aggregate = aggregateHealth(objects);
    const health: AppHealth = {
      app: state.name, status: aggregate.status, ...(aggregate.message ? { message: aggregate.message } : {}),
      revision: record.revision, objects, updatedAt: new Date().toISOString(),
    };
    if (!state.healthLoaded) {
      const raw = await deps.redis.get(redisKeys.appHealth(state.name));
      state.lastHealth = raw ? (JSON.parse(raw) as AppHealth) : undefined;
      state.healthLoaded = true;
    }
    const previous = state.lastHealth;
    if (previous && healthSummary(previous) === healthSummary(health)) return;
    await deps.redis.set(redisKeys.appHealth(state.name), JSON.stringify(health));
    state.lastHealth = health;
    if (previous?.status !== health.status) {
      logger.info({ app: state.name, revision: record.revision, health: health.status, previous: previous?.status }, 'application health changed');
      await deps.events.publish({
        type: eventTypes.healthChanged,
        data: {
          app: state.name, revision: record.revision, health: health.status, ...(previous ? { previous: previous.status } : {}),
          ...(health.message ? { message: health.message } : {}),
        },
      });
    }
  }

  async function checkDrift(state: AppState, observations: Array<{ desired: DesiredObject; observation: Observation }>) {
    const record = state.record!;
    const cluster = deps.clusters.byName(state.cluster!);
    if (!cluster) return;
    const application = applicationNamed(state.name);
    const ignore = application ? ignoreRulesOf(application) : [];
    const ignoreKey = ignoreRulesKey(ignore);
    if (state.ignoreKey !== ignoreKey) {
      if (state.ignoreKey !== undefined) for (const key of state.desired.keys()) state.dirty.add(key);
      state.driftMemory.judged.clear();
      state.ignoreKey = ignoreKey;
      void track(warnInvalidIgnoreRules(state.name, ignore, logger));
    }
    const targets: DriftCheckTarget[] = [];
    for (const { desired, observation } of observations) {
      if (!desired.planned || !state.dirty.has(desired.key)) continue;
      if (observation.kind !== 'live' && observation.kind !== 'absent') continue; // judged once it can be read
      state.dirty.delete(desired.key);
      targets.push({ key: desired.key, planned: desired.planned, live: observation.kind === 'live' ? observation.object : undefined });
    }
    const automated = application?.spec.syncPolicy?.automated;
    const selfHeal = automated !== undefined && automated.enabled !== false && automated.selfHeal === true;
    if (targets.length > 0) {
      const result = await detectDrift({ transport: cluster.transport, targets, memory: state.driftMemory, logger: logger.child({ app: state.name }), ignore });
      if (result.newlyDrifted.length > 0) {
        logger.info({ app: state.name, revision: record.revision, objects: result.newlyDrifted.length, selfHeal }, 'drift detected');
        await deps.events.publish({
          type: eventTypes.driftDetected,
          data: { app: state.name, revision: record.revision, selfHeal, objects: result.newlyDrifted.map(driftEventObject) },
        });
      }
    }
    await storeDrift(state);
    if (selfHeal && record.phase === 'Succeeded' && state.driftMemory.drift.size > 0) await heal(state, cluster);
  }

  async function storeDrift(state: AppState) {
    const objects = [...state.driftMemory.drift.values()];
    const fingerprint = JSON.stringify([state.record!.revision, objects]);
    if (fingerprint === state.lastDriftRaw) return;
    state.lastDriftRaw = fingerprint;
    const drift: AppDrift = {
      app: state.name, revision: state.record!.revision, outOfSync: objects.length > 0, objects, detectedAt: new Date().toISOString(),
    };
    await deps.redis.set(redisKeys.appDrift(state.name), JSON.stringify(drift));
  }

  async function heal(state: AppState, cluster: ClusterClient) {
    const record = state.record!;
    const drifted = new Map(state.driftMemory.drift);
    const plan = planHeals([...drifted.keys()], state.healMemory, healPolicy);
    for (const contested of plan.contested) {
      const object = drifted.get(contested.key)!;
      logger.warn({ app: state.name, object: describeObject(object.ref), managers: object.managers, retryInMs: contested.retryInMs }, 'self-heal backs off: another manager keeps changing the object');
      await deps.events.publish({
        type: eventTypes.driftContested,
        data: {
          app: state.name, revision: record.revision, object: driftEventObject(object),
          ...(object.managers?.[0] ? { manager: object.managers[0] } : {}), heals: contested.heals, retryInMs: contested.retryInMs,
        },
      });
    }
    if (plan.nextCheckInMs !== undefined) {
      // Look again when the earliest back-off ends (one timer per application).
      const dueAt = Date.now() + plan.nextCheckInMs + 10;
      if (!state.backoffTimer || (state.backoffDueAt ?? Infinity) > dueAt) {
        if (state.backoffTimer) clearTimeout(state.backoffTimer);
        state.backoffDueAt = dueAt;
        state.backoffTimer = setTimeout(() => {
          state.backoffTimer = undefined;
          state.backoffDueAt = undefined;
          schedule(state, 0);
        }, plan.nextCheckInMs + 10);
        state.backoffTimer.unref();
      }
    }
    const ready = plan.ready.flatMap((key) => {
      const planned = state.desired.get(key)?.planned;
      return planned ? [{ key, planned }] : [];
    });
    if (ready.length === 0) return;
    const lock = await tryAcquireAppLock(deps.redis, state.name, { ttlMs: 30_000 });
    if (!lock) {
      // A sync holds the lock: heal after it (it may well apply these objects itself).
      schedule(state, 500);
      return;
    }
    try {
      if ((await deps.redis.get(appliedRecordKey(state.name))) !== state.recordRaw) {
        // Another sync finished since this drift was judged: judge again against what it applied.
        void track(refreshApp(state.name));
        return;
      }
      if (deps.mayHeal && !(await deps.mayHeal())) {
        logger.warn({ app: state.name }, 'self-heal skipped: this replica no longer leads');
        return;
      }
      const application = applicationNamed(state.name);
      const toApply = application ? await keepIgnoredWhenHealing(application, cluster.transport, ready, logger) : ready;
      const results = await reapplyObjects({ transport: cluster.transport, objects: toApply, memory: state.healMemory });
      const healed: DriftedObject[] = [];
      for (const { key, result } of results) {
        const object = drifted.get(key)!;
        if (result.outcome === 'failed') {
          logger.warn({ app: state.name, object: describeObject(object.ref), reason: result.message }, 'self-heal could not re-apply an object');
          continue;
        }
        state.driftMemory.drift.delete(key);
        state.driftMemory.judged.delete(key);
        if (result.resourceVersion) state.appliedVersions.set(key, result.resourceVersion);
        healed.push(object);
      }
      await storeDrift(state);
      if (healed.length > 0) {
        logger.info({ app: state.name, revision: record.revision, objects: healed.length }, 'drift healed');
        await deps.events.publish({
          type: eventTypes.driftHealed,
          data: { app: state.name, revision: record.revision, objects: healed.map(driftEventObject) },
        });
      }
      if (healed.length < results.length) schedule(state, 2_000);
    } finally {
      await lock.release();
    }
  }

  // ---- applications --------------------------------------------------------------------------------------

  async function refreshApp(app: string): Promise<void> {
    if (closed) return;
    const application = applicationNamed(app);
    const existing = apps.get(app);
    if (!application) {
      if (existing) forget(existing);
      return;
    }
    const recordRaw = await deps.redis.get(appliedRecordKey(app));
    if (!recordRaw) return; // never synced: nothing to watch or judge yet
    if (existing?.recordRaw === recordRaw && existing.cluster) {
      // Same sync, but ignoreDifferences may have changed in the configuration: judge again with the new rules.
      if (existing.ignoreKey !== undefined && existing.ignoreKey !== ignoreRulesKey(ignoreRulesOf(application))) schedule(existing, 0);
      return;
    }
    const log = logger.child({ app });
    const bundle = await readAppliedBundle(deps.redis, app, deps.bundleSigningKey);
    if (!bundle) {
      log.warn('the applied bundle of the application is missing; health and drift wait for its next sync');
      return;
    }
    let cluster: ClusterClient;
    try {
      cluster = deps.clusters.forDestination(application.spec.destination);
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'cannot resolve the destination cluster of the application');
      return;
    }
    let desiredObjects: DesiredObject[];
    try {
      desiredObjects = await resolveDesiredObjects(bundle, application, cluster);
    } catch (error) {
      log.warn({ reason: (error as Error).message, cluster: cluster.name }, 'cannot resolve the kinds of the applied bundle; retrying on the next rescan');
      return;
    }
    if (closed) return;
    const inventory = await readInventory(deps.redis, app);
    const state = stateOf(app);
    const record = JSON.parse(recordRaw) as AppliedBundleRecord;
    for (const key of state.desired.keys()) if (owners.get(key) === state) owners.delete(key);
    state.recordRaw = recordRaw;
    state.record = record;
    state.cluster = cluster.name;
    state.desired = new Map(desiredObjects.map((desired) => [desired.key, desired]));
    state.appliedVersions = new Map(inventory.flatMap((entry) => entry.resourceVersion ? [[objectKey(entry.cluster, entry), entry.resourceVersion] as const] : []));
    state.dirty = new Set(state.desired.keys());
    state.pendingSince = undefined;
    for (const key of state.driftMemory.drift.keys()) if (!state.desired.has(key)) state.driftMemory.drift.delete(key);
    for (const desired of desiredObjects) {
      owners.set(desired.key, state);
      if (desired.info) ensureWatch(cluster, desired.info);
    }
    log.debug({ revision: record.revision, objects: desiredObjects.length }, 'live state refreshed');
    schedule(state, 0);
  }

  async function rescan(): Promise<void> {
    const configured = new Set(deps.config().applications.map((application) => application.metadata.name));
    for (const state of [...apps.values()]) if (!configured.has(state.name)) forget(state);
    for (const app of configured) {
      try {
        await refreshApp(app);
      } catch (error) {
        logger.warn({ app, reason: (error as Error).message }, 'cannot load the live state of an application');
      }
    }
  }

  function scheduleRescan(intervalMs: number) {
    if (closed) return;
    rescanTimer = setTimeout(() => {
      void track(rescan()).finally(() => scheduleRescan(intervalMs));
    }, intervalMs);
    rescanTimer.unref();
  }

  return {
    async start() {
      await track(rescan());
      scheduleRescan(deps.rescanIntervalMs ?? 30_000);
    },
    refreshApp: (app) => track(refreshApp(app)),
    watches: () => [...watches.entries()].map(([key, watch]) => ({
      cluster: key.split('|')[0], resource: resourceName(watch.resource), status: watch.status(), objects: watch.list().length,
    })),
    interruptWatches() {
      for (const watch of watches.values()) watch.interrupt();
    },
    async close() {
      closed = true;
      if (rescanTimer) clearTimeout(rescanTimer);
      for (const state of apps.values()) {
        if (state.timer) clearTimeout(state.timer);
        if (state.backoffTimer) clearTimeout(state.backoffTimer);
      }
      await Promise.all([...watches.values()].map((watch) => watch.stop()));
      watches.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
