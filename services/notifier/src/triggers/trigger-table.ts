import { eventTypes, type CloudEvent } from '@tidewater/events';

/** A named condition over one event, like an argocd-notifications trigger. */
export interface TriggerDefinition {
  name: string;
  description: string;
  /** Event types the trigger looks at (an index; `when` decides). */
  eventTypes: readonly string[];
  when(event: CloudEvent): boolean;
  /** Short outcome shown in messages: `Succeeded`, `Failed`, `Degraded` … */
  result(event: CloudEvent): string;
  /** What happened, after the application name: `was deployed`. */
  headline: string;
  emoji: string;
}

/** The application health an event reports: `data.health` (a status, or `{status}`), or a health event's `data.status`. */
export function healthOf(event: CloudEvent): string | undefined {
  const { health, status } = event.data as { health?: unknown; status?: unknown };
  if (typeof health === 'string') return health;
  if (health !== null && typeof health === 'object' && typeof (health as { status?: unknown }).status === 'string') return (health as { status: string }).status;
  return event.type === eventTypes.healthChanged && typeof status === 'string' ? status : undefined;
}

const health = healthOf;

/**
 * The built-in triggers. Promotion triggers (and any other) are one more row: pass them to createNotifier's
 * `triggers` when the promoter publishes its events.
 */
export const builtInTriggers: readonly TriggerDefinition[] = [
  {
    name: 'on-sync-succeeded',
    description: 'a sync finished successfully',
    eventTypes: [eventTypes.syncSucceeded],
    when: () => true,
    result: () => 'Succeeded',
    headline: 'synced successfully',
    emoji: ':white_check_mark:',
  },
  {
    name: 'on-sync-failed',
    description: 'a sync failed',
    eventTypes: [eventTypes.syncFailed],
    when: () => true,
    result: () => 'Failed',
    headline: 'failed to sync',
    emoji: ':x:',
  },
  {
    name: 'on-sync-running',
    description: 'a sync started',
    eventTypes: [eventTypes.syncStarted],
    when: () => true,
    result: () => 'Running',
    headline: 'started syncing',
    emoji: ':arrows_counterclockwise:',
  },
  {
    name: 'on-deployed',
    description: 'a revision was synced and is healthy (health absent counts as healthy)',
    eventTypes: [eventTypes.syncSucceeded],
    when: (event) => health(event) === undefined || health(event) === 'Healthy',
    result: () => 'Succeeded',
    headline: 'was deployed',
    emoji: ':rocket:',
  },
  {
    name: 'on-health-degraded',
    description: 'the application health became Degraded',
    eventTypes: [eventTypes.healthChanged],
    when: (event) => health(event) === 'Degraded',
    result: () => 'Degraded',
    headline: 'is degraded',
    emoji: ':warning:',
  },
  {
    name: 'on-drift-detected',
    description: 'live objects drifted from the desired state',
    eventTypes: [eventTypes.driftDetected],
    when: () => true,
    result: () => 'Drift detected',
    headline: 'drifted from Git',
    emoji: ':ocean:',
  },
];

/** Triggers Argo CD annotations without a trigger (`subscribe.<service>`) subscribe to. */
export const defaultTriggerNames: readonly string[] = ['on-deployed', 'on-sync-failed', 'on-health-degraded'];

export interface TriggerTable {
  byName: ReadonlyMap<string, TriggerDefinition>;
  names: ReadonlySet<string>;
  /** The triggers an event fires, in table order. */
  matching(event: CloudEvent): TriggerDefinition[];
}

export function createTriggerTable(triggers: readonly TriggerDefinition[] = builtInTriggers): TriggerTable {
  const byName = new Map(triggers.map((trigger) => [trigger.name, trigger]));
  return {
    byName,
    names: new Set(byName.keys()),
    matching: (event) => triggers.filter((trigger) => trigger.eventTypes.includes(event.type) && trigger.when(event)),
  };
}
