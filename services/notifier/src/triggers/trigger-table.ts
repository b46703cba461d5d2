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
  /** Extra facts the default message shows after the result (`Image`, `Tag`, `Commit` for image triggers). */
  details?(event: CloudEvent): TriggerDetail[];
  /** Slack buttons the default Block Kit message ends with (the promotion approval's Approve / Reject). */
  actions?(event: CloudEvent): TriggerAction[];
}

/** A Slack button: Slack posts `action_id` and `value` to the api's /api/v1/slack/interactions when it is pressed. */
export interface TriggerAction {
  actionId: string;
  text: string;
  style?: 'primary' | 'danger';
  value: string;
}

/** One labelled fact of a default message. */
export interface TriggerDetail {
  label: string;
  value: string;
}

/** The application health an event reports: `data.health` (a status, or `{status}`), or a health event's `data.status`. */
export function healthOf(event: CloudEvent): string | undefined {
  const { health, status } = event.data as { health?: unknown; status?: unknown };
  if (typeof health === 'string') return health;
  if (health !== null && typeof health === 'object' && typeof (health as { status?: unknown }).status === 'string') return (health as { status: string }).status;
  return event.type === eventTypes.healthChanged && typeof status === 'string' ? status : undefined;
}

const health = healthOf;

const textOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** What Image Updater users look for in an image message: the image, old → new tag (and digest) and the commit. */
export function imageDetails(event: CloudEvent): TriggerDetail[] {
  const data = event.data as Record<string, unknown>;
  const details: TriggerDetail[] = [];
  const image = textOf(data.image);
  if (image) details.push({ label: 'Image', value: image });
  const newTag = textOf(data.newTag);
  const tag = textOf(data.tag);
  if (newTag) details.push({ label: 'Tag', value: `${textOf(data.oldTag) ?? '(none)'} → ${newTag}` });
  else if (tag) details.push({ label: 'Tag', value: tag });
  const newDigest = textOf(data.newDigest);
  if (newDigest) details.push({ label: 'Digest', value: newDigest });
  const commit = textOf(data.commit);
  if (commit) details.push({ label: 'Commit', value: /^[0-9a-f]{40,64}$/i.test(commit) ? commit.slice(0, 7) : commit });
  const pullRequest = textOf(data.pullRequestUrl);
  if (pullRequest) details.push({ label: 'Pull request', value: pullRequest });
  return details;
}

/** What a promotion message shows: pipeline, stage, freight (alias) and who asked or acted. */
export function promotionDetails(event: CloudEvent): TriggerDetail[] {
  const data = event.data as Record<string, unknown>;
  return [
    ...(textOf(data.pipeline) ? [{ label: 'Pipeline', value: String(data.pipeline) }] : []),
    ...(textOf(data.stage) ? [{ label: 'Stage', value: String(data.stage) }] : []),
    ...(textOf(data.alias) ? [{ label: 'Freight', value: String(data.alias) }] : []),
    ...(textOf(data.images) ? [{ label: 'Images', value: String(data.images) }] : []),
    ...(textOf(data.actor) ? [{ label: 'By', value: String(data.actor) }] : []),
  ];
}

/** Approve / Reject buttons of an approval request; the value names the pipeline, stage and freight. */
export function approvalActions(event: CloudEvent): TriggerAction[] {
  const data = event.data as Record<string, unknown>;
  const value = JSON.stringify({ pipeline: data.pipeline, stage: data.stage, freight: data.freight });
  return [
    { actionId: 'tidewater-approve', text: 'Approve', style: 'primary', value },
    { actionId: 'tidewater-reject', text: 'Reject', style: 'danger', value },
  ];
}

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
  {
    name: 'on-image-updated',
    description: 'the promoter committed a new image tag to Git (or to a pull request)',
    eventTypes: [eventTypes.imageUpdated],
    when: () => true,
    result: () => 'Image updated',
    headline: 'has a new image',
    emoji: ':package:',
    details: imageDetails,
  },
  {
    name: 'on-image-update-failed',
    description: 'an image update failed for good (after the last retry)',
    eventTypes: [eventTypes.imageUpdateFailed],
    when: () => true,
    result: () => 'Image update failed',
    headline: 'failed to update its image',
    emoji: ':x:',
    details: imageDetails,
  },
  {
    name: 'on-promotion-requested',
    description: 'a freight waits for approval to be promoted to a stage (the Slack message has Approve / Reject buttons)',
    eventTypes: [eventTypes.promotionRequested],
    when: (event) => (event.data as { approvalRequired?: unknown }).approvalRequired === true,
    result: () => 'Approval requested',
    headline: 'waits for approval of a promotion',
    emoji: ':raised_hand:',
    details: promotionDetails,
    actions: approvalActions,
  },
  {
    name: 'on-promotion-succeeded',
    description: 'a promotion to a stage finished its steps',
    eventTypes: [eventTypes.promotionSucceeded],
    when: () => true,
    result: () => 'Promoted',
    headline: 'was promoted',
    emoji: ':rocket:',
    details: promotionDetails,
  },
  {
    name: 'on-promotion-failed',
    description: 'a promotion to a stage failed',
    eventTypes: [eventTypes.promotionFailed],
    when: () => true,
    result: () => 'Promotion failed',
    headline: 'failed to be promoted',
    emoji: ':x:',
    details: promotionDetails,
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
