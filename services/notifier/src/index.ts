export { createNotifier, type Notifier, type NotifierDeps, type NotifierDeliveryOptions } from './notifier.ts';
export { deliveryOptionsFrom, parseNotifierEnv, NotifierEnv } from './env.ts';
export {
  NotificationChannel, NotificationChannelSpec, SlackChannelSpec, WebhookChannelSpec, WebhookHeader, ChannelSubscription,
  ChannelRateLimit, MessageTemplate, notificationChannelKind,
} from './channels/notification-channel.ts';
export { loadChannels, type LoadedChannels } from './channels/load-channels.ts';
export { builtInTriggers, createTriggerTable, defaultTriggerNames, healthOf, type TriggerDefinition, type TriggerTable } from './triggers/trigger-table.ts';
export { parseArgoSubscriptions, argoSubscribePrefix, type AnnotationSubscription } from './subscriptions/argo-annotations.ts';
export { resolveTargets, type NotificationTarget, type ResolvedTargets } from './subscriptions/resolve-targets.ts';
export { renderTemplate, renderJsonTemplate, missingPlaceholder, type TextFormat, type RenderedText } from './templates/render-template.ts';
export { renderMessage, type RenderedMessage } from './templates/render-message.ts';
export { buildTemplateFields, browsableRepoUrl, formatDuration, type TemplateFields } from './templates/template-fields.ts';
export { signWebhookBody, verifyWebhookSignature, signatureHeader } from './delivery/webhook-signature.ts';
export { deliveryQueueName, DeliveryJob, defaultRetryPolicy, type DeliveryRetryPolicy } from './delivery/delivery-job.ts';
export { notifierKeys } from './delivery/notifier-keys.ts';
export { ExternalServiceError } from './errors/external-service-error.ts';
