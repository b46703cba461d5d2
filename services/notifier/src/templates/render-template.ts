/** How interpolated values are written: Slack mrkdwn escapes `&`, `<` and `>`; plain text leaves them. */
export type TextFormat = 'slack' | 'plain';

export interface RenderedText {
  text: string;
  /** Fields the template referenced that have no value (each rendered as a placeholder). */
  missing: string[];
}

/** A value inserted verbatim (already mrkdwn), such as a Slack link. */
export interface RawText {
  raw: string;
}

const placeholderPattern = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;

export function missingPlaceholder(field: string): string {
  return `[missing: ${field}]`;
}

export function escapeSlack(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isRaw(value: unknown): value is RawText {
  return value !== null && typeof value === 'object' && typeof (value as RawText).raw === 'string' && Object.keys(value).length === 1;
}

function lookup(fields: Record<string, unknown>, path: string): unknown {
  let value: unknown = fields;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function stringify(value: unknown, format: TextFormat): string {
  if (isRaw(value)) return value.raw;
  const plain = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return format === 'slack' ? escapeSlack(plain) : plain;
}

/**
 * Fills `{{ field }}` and `{{ data.nested.field }}` placeholders. A field without a value becomes
 * `[missing: field]` and is reported in `missing`, so the message is still sent.
 */
export function renderTemplate(template: string, fields: Record<string, unknown>, format: TextFormat): RenderedText {
  const missing: string[] = [];
  const text = template.replace(placeholderPattern, (_match, path: string) => {
    const value = lookup(fields, path);
    if (value === undefined || value === null || value === '') {
      if (!missing.includes(path)) missing.push(path);
      return missingPlaceholder(path);
    }
    return stringify(value, format);
  });
  return { text, missing };
}

/** Renders every string inside a JSON value (Slack Block Kit) as a template. */
export function renderJsonTemplate<T>(template: T, fields: Record<string, unknown>, format: TextFormat): { value: T; missing: string[] } {
  const missing = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const rendered = renderTemplate(node, fields, format);
      rendered.missing.forEach((field) => missing.add(field));
      return rendered.text;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    return node;
  };
  return { value: walk(template) as T, missing: [...missing] };
}
