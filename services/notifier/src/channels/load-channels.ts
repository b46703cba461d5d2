import type { TidewaterConfig } from '@tidewater/config';
import { NotificationChannel, notificationChannelKind } from './notification-channel.ts';

/** The configuration's NotificationChannels that are valid, and why the others were skipped. */
export interface LoadedChannels {
  /** By metadata.name, in document order. */
  channels: Map<string, NotificationChannel>;
  /** Operator-actionable, value-free: `NotificationChannel team-slack: spec.tokenRef: …`. */
  problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function documentName(document: Record<string, unknown>, index: number): string {
  const metadata = document.metadata;
  const name = isRecord(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
  return name ?? `#${index}`;
}

/**
 * Parses the raw NotificationChannel documents that @tidewater/config keeps in `otherDocuments`.
 * An invalid channel is skipped and reported; it never stops the others.
 */
export function loadChannels(config: Pick<TidewaterConfig, 'otherDocuments'>, knownTriggers: ReadonlySet<string>): LoadedChannels {
  const channels = new Map<string, NotificationChannel>();
  const problems: string[] = [];
  config.otherDocuments.forEach((document, index) => {
    if (!isRecord(document) || document.kind !== notificationChannelKind) return;
    const name = documentName(document, index);
    const parsed = NotificationChannel.safeParse(document);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        // Field path and zod's message only: messages never echo the input, which may be a secret.
        const field = issue.path.map(String).join('.') || '(document)';
        problems.push(`NotificationChannel ${name}: ${field}: ${issue.message}`);
      }
      return;
    }
    const channel = parsed.data;
    if (channels.has(channel.metadata.name)) {
      problems.push(`NotificationChannel ${name}: metadata.name: defined twice; the first definition is used`);
      return;
    }
    channel.spec.subscriptions?.forEach((subscription, position) => {
      if (!knownTriggers.has(subscription.trigger)) {
        problems.push(`NotificationChannel ${name}: spec.subscriptions.${position}.trigger: unknown trigger ${subscription.trigger}`);
      }
    });
    for (const trigger of Object.keys(channel.spec.templates ?? {})) {
      if (!knownTriggers.has(trigger)) problems.push(`NotificationChannel ${name}: spec.templates.${trigger}: unknown trigger`);
    }
    channels.set(channel.metadata.name, channel);
  });
  return { channels, problems };
}
