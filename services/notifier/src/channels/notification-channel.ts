import { z } from 'zod';
import { ObjectMeta, SecretRef } from '@tidewater/config';

// A Tidewater kind, strict like Repository and Cluster: an unknown field is an error, secrets are references.

export const notificationChannelKind = 'NotificationChannel';

/** Messages per rolling minute; further messages wait for a free slot (they are delayed, never dropped). */
export const ChannelRateLimit = z.strictObject({
  perMinute: z.number().int().positive(),
});
export type ChannelRateLimit = z.infer<typeof ChannelRateLimit>;

/** Which trigger sends to the channel, for which applications (globs; all when absent). */
export const ChannelSubscription = z.strictObject({
  trigger: z.string().min(1),
  apps: z.array(z.string().min(1)).min(1).optional(),
});
export type ChannelSubscription = z.infer<typeof ChannelSubscription>;

/** Message templates: `{{ field }}` placeholders; `blocks` is Slack Block Kit whose strings are templates too. */
export const MessageTemplate = z.strictObject({
  text: z.string().min(1).optional(),
  blocks: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type MessageTemplate = z.infer<typeof MessageTemplate>;

const channelCommon = {
  rateLimit: ChannelRateLimit.optional(),
  subscriptions: z.array(ChannelSubscription).optional(),
  /** The channel's template for every trigger, unless `templates` has one for the trigger. */
  template: MessageTemplate.optional(),
  /** Templates by trigger name (`on-deployed: {text: …}`). */
  templates: z.record(z.string(), MessageTemplate).optional(),
};

export const SlackChannelSpec = z
  .strictObject({
    type: z.literal('slack'),
    /** An incoming-webhook URL (it embeds a token, so it is a secret). */
    webhookUrlRef: SecretRef.optional(),
    /** A bot token for chat.postMessage. */
    tokenRef: SecretRef.optional(),
    /** Slack channel for chat.postMessage (`deployments` or an id); Argo CD annotations may name others. */
    channel: z.string().min(1).optional(),
    /** Slack Web API base URL (default https://slack.com/api). */
    apiUrl: z.url({ protocol: /^https?$/ }).optional(),
    ...channelCommon,
  })
  .refine((spec) => (spec.webhookUrlRef === undefined) !== (spec.tokenRef === undefined), {
    error: 'a slack channel needs exactly one of webhookUrlRef (incoming webhook) or tokenRef (bot token)',
  });
export type SlackChannelSpec = z.infer<typeof SlackChannelSpec>;

/** Header names whose values are credentials: they must come from a secret reference. */
const credentialHeader = /^(authorization|proxy-authorization|cookie)$|token|secret|api-?key|password/i;

export const WebhookHeader = z
  .strictObject({
    name: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'must be an HTTP header name' }),
    value: z.string().optional(),
    valueRef: SecretRef.optional(),
  })
  .refine((header) => (header.value === undefined) !== (header.valueRef === undefined), {
    error: 'a header needs exactly one of value or valueRef',
  })
  .refine((header) => header.value === undefined || !credentialHeader.test(header.name), {
    error: 'this header carries a credential: use valueRef (env: or file:), never an inline value',
  });
export type WebhookHeader = z.infer<typeof WebhookHeader>;

export const WebhookChannelSpec = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** The URL as a secret, when it embeds a token. */
    urlRef: SecretRef.optional(),
    /** HMAC-SHA256 signing secret: `X-Tidewater-Signature: t=<unix seconds>,v1=<hex>` over `<t>.<body>`. */
    secretRef: SecretRef.optional(),
    headers: z.array(WebhookHeader).optional(),
    ...channelCommon,
  })
  .refine((spec) => (spec.url === undefined) !== (spec.urlRef === undefined), {
    error: 'a webhook channel needs exactly one of url or urlRef',
  });
export type WebhookChannelSpec = z.infer<typeof WebhookChannelSpec>;

export const NotificationChannelSpec = z.discriminatedUnion('type', [SlackChannelSpec, WebhookChannelSpec]);
export type NotificationChannelSpec = z.infer<typeof NotificationChannelSpec>;

/** `apiVersion: tidewater.dev/v1alpha1`, `kind: NotificationChannel`: where and how notifications go. */
export const NotificationChannel = z.object({
  apiVersion: z.literal('tidewater.dev/v1alpha1'),
  kind: z.literal(notificationChannelKind),
  metadata: ObjectMeta,
  spec: NotificationChannelSpec,
});
export type NotificationChannel = z.infer<typeof NotificationChannel>;
