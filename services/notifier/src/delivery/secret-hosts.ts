import type { SlackChannelSpec } from '../channels/notification-channel.ts';

/** Where Slack credentials belong: the Web API (bot tokens) and incoming webhooks. */
export const slackApiOrigin = 'https://slack.com';
export const slackWebhookOrigin = 'https://hooks.slack.com';

/**
 * The origins a Slack channel's secret may be sent to: Slack's own host for the kind of secret, plus the origin of
 * the channel's `apiUrl` when one is configured (a Slack-compatible server, a proxy, a test sink). Nothing else:
 * a token or webhook URL pointed elsewhere by a configuration is never sent.
 */
export function slackSecretOrigins(spec: Pick<SlackChannelSpec, 'apiUrl'>, kind: 'token' | 'webhook'): string[] {
  const origins = [kind === 'token' ? slackApiOrigin : slackWebhookOrigin];
  if (spec.apiUrl && URL.canParse(spec.apiUrl)) origins.push(new URL(spec.apiUrl).origin);
  return origins;
}

/** Whether `url` is at one of `origins` (scheme, host and port all equal). */
export function isAtOrigin(url: string, origins: readonly string[]): boolean {
  return URL.canParse(url) && origins.includes(new URL(url).origin);
}
