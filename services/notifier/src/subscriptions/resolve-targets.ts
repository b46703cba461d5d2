import { globMatch, type ArgoApplication } from '@tidewater/config';
import type { NotificationChannel } from '../channels/notification-channel.ts';
import { parseArgoSubscriptions } from './argo-annotations.ts';

/** One destination of one notification: a channel, and for Slack possibly another Slack channel than its own. */
export interface NotificationTarget {
  channel: NotificationChannel;
  /** Slack channel overriding the NotificationChannel's `spec.channel` (from an Argo CD annotation). */
  slackChannel?: string;
  /** The channel's identity in once-per-deploy keys: `team-slack` or `team-slack#deployments`. */
  key: string;
}

export interface ResolvedTargets {
  targets: NotificationTarget[];
  /** Value-free problems (unknown service or trigger in an annotation), for a warning. */
  problems: string[];
}

function targetOf(channel: NotificationChannel, slackChannel?: string): NotificationTarget {
  const override = slackChannel && channel.spec.type === 'slack' && slackChannel !== channel.spec.channel ? slackChannel : undefined;
  return { channel, ...(override ? { slackChannel: override } : {}), key: override ? `${channel.metadata.name}#${override}` : channel.metadata.name };
}

/** The Slack channel the `slack` service of Argo CD annotations means: the first with a bot token, else the first. */
function slackService(channels: ReadonlyMap<string, NotificationChannel>): NotificationChannel | undefined {
  const slack = [...channels.values()].filter((channel) => channel.spec.type === 'slack');
  return slack.find((channel) => channel.spec.type === 'slack' && channel.spec.tokenRef !== undefined) ?? slack[0];
}

/**
 * Where a trigger's notification for an application goes: channels subscribed in their NotificationChannel
 * (`spec.subscriptions`, app globs) and channels named by the Application's argocd-notifications annotations.
 * A destination reached both ways appears once.
 */
export function resolveTargets(input: {
  trigger: string;
  app: string;
  application: ArgoApplication | undefined;
  channels: ReadonlyMap<string, NotificationChannel>;
  knownTriggers: ReadonlySet<string>;
}): ResolvedTargets {
  const byKey = new Map<string, NotificationTarget>();
  const problems: string[] = [];
  const add = (target: NotificationTarget) => {
    if (!byKey.has(target.key)) byKey.set(target.key, target);
  };

  for (const channel of input.channels.values()) {
    for (const subscription of channel.spec.subscriptions ?? []) {
      if (subscription.trigger !== input.trigger) continue;
      const apps = subscription.apps ?? ['*'];
      if (apps.some((pattern) => globMatch(pattern, input.app))) add(targetOf(channel));
    }
  }

  for (const subscription of parseArgoSubscriptions(input.application?.metadata.annotations)) {
    for (const trigger of subscription.triggers) {
      if (!input.knownTriggers.has(trigger)) problems.push(`annotation ${subscription.annotation}: unknown trigger ${trigger}`);
    }
    if (!subscription.triggers.includes(input.trigger)) continue;
    const channel = subscription.service === 'slack' ? slackService(input.channels) : input.channels.get(subscription.service);
    if (!channel) {
      problems.push(`annotation ${subscription.annotation}: no NotificationChannel for service ${subscription.service}`);
      continue;
    }
    if (subscription.recipients.length === 0 || channel.spec.type !== 'slack') add(targetOf(channel));
    else for (const recipient of subscription.recipients) add(targetOf(channel, recipient.replace(/^#/, '')));
  }
  return { targets: [...byKey.values()], problems };
}
