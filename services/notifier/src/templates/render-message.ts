import type { MessageTemplate, NotificationChannel } from '../channels/notification-channel.ts';
import type { TriggerAction, TriggerDefinition } from '../triggers/trigger-table.ts';
import { escapeSlack, renderJsonTemplate, renderTemplate, type RawText, type TextFormat } from './render-template.ts';
import type { TemplateFields } from './template-fields.ts';

export interface RenderedMessage {
  text: string;
  /** Slack Block Kit blocks (Slack channels only). */
  blocks?: Array<Record<string, unknown>>;
  /** Template fields without a value: the message carries placeholders for them. */
  missing: string[];
}

const maxReasonLength = 500;

function truncate(value: string, length: number): string {
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

/** The fields as templates see them in a format: `revisionLink` is a Slack link, or the short SHA and URL. */
function fieldsFor(fields: TemplateFields, format: TextFormat): Record<string, unknown> {
  const short = fields.revisionShort;
  let revisionLink: string | RawText | undefined = short;
  if (short && fields.revisionUrl) {
    revisionLink = format === 'slack' ? { raw: `<${fields.revisionUrl}|${escapeSlack(short)}>` } : `${short} (${fields.revisionUrl})`;
  }
  return { ...fields, revisionLink };
}

function defaultText(fields: TemplateFields, trigger: TriggerDefinition, format: TextFormat): string {
  const value = (text: string) => (format === 'slack' ? escapeSlack(text) : text);
  const link = fieldsFor(fields, format).revisionLink as string | RawText | undefined;
  const revision = link === undefined ? '' : ` at revision ${typeof link === 'string' ? value(link) : link.raw}`;
  const app = format === 'slack' ? `*${value(fields.app)}*` : fields.app;
  const lead = `${format === 'slack' ? `${trigger.emoji} ` : ''}Application ${app} ${trigger.headline}${revision}.`;
  const details = [
    `Result: ${value(fields.result)}`,
    fields.author ? `Author: ${value(fields.author)}` : undefined,
    fields.health ? `Health: ${value(fields.health)}` : undefined,
    fields.duration ? `Duration: ${fields.duration}` : undefined,
    ...(fields.details ?? []).map((detail) => `${detail.label}: ${value(detail.value)}`),
  ].filter((line) => line !== undefined);
  const reason = fields.reason ? `\nReason: ${value(truncate(fields.reason, maxReasonLength))}` : '';
  return `${lead}\n${details.join(' · ')}${reason}`;
}

function defaultBlocks(fields: TemplateFields, trigger: TriggerDefinition, actions?: TriggerAction[]): Array<Record<string, unknown>> {
  const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
  const link = fieldsFor(fields, 'slack').revisionLink as string | RawText | undefined;
  const facts = [
    mrkdwn(`*Application*\n${escapeSlack(fields.app)}`),
    link === undefined ? undefined : mrkdwn(`*Revision*\n${typeof link === 'string' ? escapeSlack(link) : link.raw}`),
    mrkdwn(`*Result*\n${escapeSlack(fields.result)}`),
    fields.author ? mrkdwn(`*Author*\n${escapeSlack(fields.author)}`) : undefined,
    fields.health ? mrkdwn(`*Health*\n${escapeSlack(fields.health)}`) : undefined,
    fields.duration ? mrkdwn(`*Duration*\n${fields.duration}`) : undefined,
    ...(fields.details ?? []).map((detail) => mrkdwn(`*${escapeSlack(detail.label)}*\n${escapeSlack(detail.value)}`)),
  ].filter((fact) => fact !== undefined);
  const blocks: Array<Record<string, unknown>> = [
    { type: 'section', text: mrkdwn(`${trigger.emoji} Application *${escapeSlack(fields.app)}* ${trigger.headline}`) },
    { type: 'section', fields: facts },
  ];
  if (fields.reason) blocks.push({ type: 'section', text: mrkdwn(`*Reason*\n\`\`\`${escapeSlack(truncate(fields.reason, maxReasonLength))}\`\`\``) });
  if (actions && actions.length > 0) {
    blocks.push({
      type: 'actions',
      elements: actions.map((action) => ({
        type: 'button', action_id: action.actionId, text: { type: 'plain_text', text: action.text }, value: action.value, ...(action.style ? { style: action.style } : {}),
      })),
    });
  }
  blocks.push({ type: 'context', elements: [mrkdwn(`Tidewater · ${trigger.name} · ${escapeSlack(fields.time)}`)] });
  return blocks;
}

function templateFor(channel: NotificationChannel, trigger: string): MessageTemplate | undefined {
  return channel.spec.templates?.[trigger] ?? channel.spec.template;
}

/**
 * A channel's message for one trigger: its template (per trigger, else per channel) or the default text and
 * Block Kit layout. A custom `text` without custom `blocks` sends text only, so what the operator wrote shows.
 */
export function renderMessage(input: { channel: NotificationChannel; trigger: TriggerDefinition; fields: TemplateFields; actions?: TriggerAction[] }): RenderedMessage {
  const { channel, trigger, fields } = input;
  const format: TextFormat = channel.spec.type === 'slack' ? 'slack' : 'plain';
  const template = templateFor(channel, trigger.name);
  const missing = new Set<string>();
  let text = defaultText(fields, trigger, format);
  if (template?.text) {
    const rendered = renderTemplate(template.text, fieldsFor(fields, format), format);
    rendered.missing.forEach((field) => missing.add(field));
    text = rendered.text;
  }
  if (format !== 'slack') return { text, missing: [...missing] };
  let blocks: Array<Record<string, unknown>> | undefined = template?.text ? undefined : defaultBlocks(fields, trigger, input.actions);
  if (template?.blocks) {
    const rendered = renderJsonTemplate(template.blocks, fieldsFor(fields, format), format);
    rendered.missing.forEach((field) => missing.add(field));
    blocks = rendered.value;
  }
  return { text, ...(blocks ? { blocks } : {}), missing: [...missing] };
}
