import { defaultTriggerNames } from '../triggers/trigger-table.ts';

export const argoSubscribePrefix = 'notifications.argoproj.io/subscribe.';

/** One `notifications.argoproj.io/subscribe.<trigger>.<service>: <recipient>;<recipient>` annotation. */
export interface AnnotationSubscription {
  /** The annotation key, for warnings. */
  annotation: string;
  triggers: readonly string[];
  /** `slack`, or the name of a NotificationChannel. */
  service: string;
  /** Slack channel names (`;`-separated in the value); empty means the channel's own destination. */
  recipients: string[];
}

/**
 * Reads argocd-notifications subscription annotations. `subscribe.<trigger>.<service>` subscribes one trigger;
 * `subscribe.<service>` (no trigger) subscribes the default triggers. Trigger names hold no dots, so the first
 * dot separates trigger from service (channel names may contain dots).
 */
export function parseArgoSubscriptions(annotations: Readonly<Record<string, string>> | undefined): AnnotationSubscription[] {
  const subscriptions: AnnotationSubscription[] = [];
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (!key.startsWith(argoSubscribePrefix)) continue;
    const rest = key.slice(argoSubscribePrefix.length);
    if (rest === '') continue;
    const dot = rest.indexOf('.');
    const triggers = dot < 0 ? defaultTriggerNames : [rest.slice(0, dot)];
    const service = dot < 0 ? rest : rest.slice(dot + 1);
    if (service === '') continue;
    const recipients = value.split(';').map((recipient) => recipient.trim()).filter((recipient) => recipient !== '');
    subscriptions.push({ annotation: key, triggers, service, recipients });
  }
  return subscriptions;
}
