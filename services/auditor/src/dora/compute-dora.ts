import { eventTypes, type CloudEvent } from '@tidewater/events';
import { destinationNamespace, environmentFromSuffix, explicitEnvironment, unknownEnvironment } from './environment.ts';

export interface DoraOptions {
  /** Window start, inclusive. */
  from: Date | string | number;
  /** Window end, exclusive. */
  to: Date | string | number;
  /** The environment of an application from the configuration; undefined falls back to the event-data rule. */
  environmentOf?: (app: string) => string | undefined;
}

export interface DurationSummary {
  samples: number;
  medianSeconds: number | null;
  meanSeconds: number | null;
}

export interface DoraMetrics {
  app: string;
  environment: string;
  /** Successful syncs of a revision other than the one deployed before (re-syncs of one revision are not changes). */
  deployments: number;
  /** Every sync.succeeded in the window, re-syncs included. */
  successfulSyncs: number;
  deploymentFrequencyPerDay: number;
  /** Commit time → applied, per deployment. */
  leadTimeForChanges: DurationSummary;
  /** failedChanges ÷ changeAttempts; null without attempts. */
  changeFailureRate: number | null;
  failedChanges: number;
  /** Deployments plus failed syncs (one per failing revision). */
  changeAttempts: number;
  /** Failure → next success, for failures that started in the window and were restored before its end. */
  timeToRestore: DurationSummary & { openFailures: number };
}

export interface DoraReport {
  from: string;
  to: string;
  days: number;
  groups: DoraMetrics[];
}

const rollbackPrefix = 'dev.tidewater.rollback';
const healthChangedType = 'dev.tidewater.health.changed';

/** The event types (and prefixes, as AuditQuery.types) the computation reads: select these, up to `to`, from the log. */
export const doraEventTypes: readonly string[] = [
  eventTypes.syncSucceeded, eventTypes.syncFailed, healthChangedType, eventTypes.webhookReceived, rollbackPrefix,
];

function toMs(value: Date | string | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError('DORA window bounds must be valid times');
  return ms;
}

function summarise(samplesMs: readonly number[]): DurationSummary {
  if (samplesMs.length === 0) return { samples: 0, medianSeconds: null, meanSeconds: null };
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const meanMs = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { samples: sorted.length, medianSeconds: medianMs / 1000, meanSeconds: meanMs / 1000 };
}

interface TimedEvent {
  event: CloudEvent;
  timeMs: number;
  order: number;
}

function stringData(event: CloudEvent, key: string): string | undefined {
  const value = (event.data as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

function appsOf(event: CloudEvent): string[] {
  const data = event.data as Record<string, unknown>;
  const apps = typeof data.app === 'string' ? [data.app] : [];
  if (Array.isArray(data.apps)) for (const app of data.apps) if (typeof app === 'string') apps.push(app);
  return apps;
}

function isRollback(type: string): boolean {
  return type === rollbackPrefix || type.startsWith(`${rollbackPrefix}.`);
}

/**
 * DORA metrics per application and environment over [from, to), from audit records (any order):
 *
 * - deployment: a `sync.succeeded` whose revision differs from the app's previously deployed revision
 *   (history before `from` counts for that); frequency = deployments ÷ days of the window;
 * - lead time for changes: `data.commitTime` of the sync.succeeded → its time; without commitTime, the first
 *   `webhook.received` for that revision (naming the app, or no app) → its time; neither → no sample;
 * - change failure rate: failed changes ÷ change attempts, where attempts are deployments plus failed syncs
 *   (consecutive failures of one revision count once) and failed changes are those failed syncs plus
 *   deployments followed, before the next deployment, by health `Degraded` or a rollback event;
 * - time to restore: from the first failure event (sync.failed, health Degraded, rollback) to the next
 *   sync.succeeded of the app — or health back to `Healthy` when the failure was a Degraded health.
 *
 * Environment: `environmentOf(app)` (the configuration) if given; else the newest event of the app naming one
 * (`data.environment`, or label/annotation `tidewater.dev/environment` in `data.labels`/`data.annotations`);
 * else the suffix of the destination namespace (`-dev`, `-staging`, `-prod` …); else of the app name; else `unknown`.
 */
export function computeDora(records: Iterable<{ event: CloudEvent }>, options: DoraOptions): DoraReport {
  const fromMs = toMs(options.from);
  const toMsValue = toMs(options.to);
  const days = Math.max(0, toMsValue - fromMs) / 86_400_000;

  const byApp = new Map<string, TimedEvent[]>();
  /** Earliest webhook time per `app\0revision`, and per `\0revision` for webhooks naming no app. */
  const webhookTimes = new Map<string, number>();
  let order = 0;
  for (const { event } of records) {
    const timeMs = Date.parse(event.time);
    if (!Number.isFinite(timeMs) || timeMs >= toMsValue) continue;
    const apps = appsOf(event);
    if (event.type === eventTypes.webhookReceived) {
      const revision = stringData(event, 'revision');
      if (!revision) continue;
      for (const key of apps.length > 0 ? apps.map((app) => `${app}\0${revision}`) : [`\0${revision}`]) {
        const known = webhookTimes.get(key);
        if (known === undefined || timeMs < known) webhookTimes.set(key, timeMs);
      }
      continue;
    }
    const relevant = event.type === eventTypes.syncSucceeded || event.type === eventTypes.syncFailed
      || event.type === healthChangedType || isRollback(event.type);
    if (!relevant) continue;
    for (const app of apps) {
      const list = byApp.get(app);
      const timed = { event, timeMs, order: order++ };
      if (list) list.push(timed);
      else byApp.set(app, [timed]);
    }
  }

  const groups: DoraMetrics[] = [];
  for (const [app, events] of byApp) {
    events.sort((a, b) => a.timeMs - b.timeMs || a.order - b.order);
    groups.push(metricsForApp(app, events));
  }
  groups.sort((a, b) => a.app.localeCompare(b.app) || a.environment.localeCompare(b.environment));
  return { from: new Date(fromMs).toISOString(), to: new Date(toMsValue).toISOString(), days, groups };

  function environmentFor(app: string, events: readonly TimedEvent[]): string {
    const configured = options.environmentOf?.(app);
    if (configured) return configured;
    let fromNamespace: string | undefined;
    for (let i = events.length - 1; i >= 0; i--) {
      const data = events[i].event.data as Record<string, unknown>;
      const explicit = explicitEnvironment(data);
      if (explicit) return explicit;
      fromNamespace ??= environmentFromSuffix(destinationNamespace(events[i].event.type, data));
    }
    return fromNamespace ?? environmentFromSuffix(app) ?? unknownEnvironment;
  }

  function metricsForApp(app: string, events: readonly TimedEvent[]): DoraMetrics {
    const inWindow = (timeMs: number) => timeMs >= fromMs && timeMs < toMsValue;
    let deployments = 0;
    let successfulSyncs = 0;
    let changeAttempts = 0;
    let failedChanges = 0;
    const leadTimes: number[] = [];
    const restoreTimes: number[] = [];
    let openFailures = 0;
    let deployedRevision: string | undefined;
    let hasDeployed = false;
    /** The live deployment, until the next one: a Degraded health or rollback marks it failed (once). */
    let liveDeployment: { timeMs: number; failed: boolean } | undefined;
    let failingRevision: string | undefined;
    let outage: { sinceMs: number; byDegraded: boolean } | undefined;

    const startOutage = (timeMs: number, byDegraded: boolean) => {
      outage ??= { sinceMs: timeMs, byDegraded };
    };
    const endOutage = (timeMs: number) => {
      if (outage && inWindow(outage.sinceMs)) restoreTimes.push(timeMs - outage.sinceMs);
      outage = undefined;
    };

    for (const { event, timeMs } of events) {
      const revision = stringData(event, 'revision');
      if (event.type === eventTypes.syncSucceeded) {
        if (inWindow(timeMs)) successfulSyncs++;
        if (!hasDeployed || revision !== deployedRevision) {
          hasDeployed = true;
          deployedRevision = revision;
          liveDeployment = { timeMs, failed: false };
          if (inWindow(timeMs)) {
            deployments++;
            changeAttempts++;
            const lead = leadTimeMs(app, event, revision, timeMs);
            if (lead !== undefined) leadTimes.push(lead);
          }
        }
        failingRevision = undefined;
        endOutage(timeMs);
      } else if (event.type === eventTypes.syncFailed) {
        if (failingRevision === undefined || revision !== failingRevision) {
          failingRevision = revision ?? '';
          if (inWindow(timeMs)) {
            changeAttempts++;
            failedChanges++;
          }
        }
        startOutage(timeMs, false);
      } else {
        const health = stringData(event, 'health') ?? stringData(event, 'status');
        const degraded = isRollback(event.type) || health === 'Degraded';
        if (degraded) {
          if (liveDeployment && !liveDeployment.failed) {
            liveDeployment.failed = true;
            if (inWindow(liveDeployment.timeMs)) failedChanges++;
          }
          startOutage(timeMs, !isRollback(event.type));
        } else if (health === 'Healthy' && outage?.byDegraded) {
          endOutage(timeMs);
        }
      }
    }
    if (outage && inWindow(outage.sinceMs)) openFailures++;

    return {
      app,
      environment: environmentFor(app, events),
      deployments,
      successfulSyncs,
      deploymentFrequencyPerDay: days > 0 ? deployments / days : 0,
      leadTimeForChanges: summarise(leadTimes),
      changeFailureRate: changeAttempts > 0 ? failedChanges / changeAttempts : null,
      failedChanges,
      changeAttempts,
      timeToRestore: { ...summarise(restoreTimes), openFailures },
    };
  }

  function leadTimeMs(app: string, event: CloudEvent, revision: string | undefined, appliedMs: number): number | undefined {
    const commitTime = stringData(event, 'commitTime');
    const commitMs = commitTime ? Date.parse(commitTime) : Number.NaN;
    if (Number.isFinite(commitMs)) return Math.max(0, appliedMs - commitMs);
    if (!revision) return undefined;
    const webhookMs = webhookTimes.get(`${app}\0${revision}`) ?? webhookTimes.get(`\0${revision}`);
    return webhookMs !== undefined && webhookMs <= appliedMs ? appliedMs - webhookMs : undefined;
  }
}
