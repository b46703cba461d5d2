import { fieldManager } from '../apply/server-side-apply.ts';

/** One entry of `metadata.managedFields`. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

type LiveObject = { metadata?: { [key: string]: unknown; managedFields?: unknown } };

function entriesOf(object: LiveObject): ManagedFieldsEntry[] {
  const entries = object.metadata?.managedFields;
  return Array.isArray(entries) ? (entries as ManagedFieldsEntry[]) : [];
}

/** Entries that can change what Tidewater applies: everything but the status subresource. */
function specEntries(object: LiveObject): ManagedFieldsEntry[] {
  return entriesOf(object).filter((entry) => entry.subresource !== 'status');
}

/**
 * Whether the newest change to the object (outside its status) was Tidewater's own apply: its managedFields
 * entry is strictly newer than every other manager's. Timestamps have one-second resolution, so a tie counts
 * as "someone else may have changed it too" and the caller compares, and so does an entry without a time: the
 * API server leaves `time` out of some entries, e.g. `kubectl scale` through the scale subresource.
 */
export function lastChangedByTidewater(object: LiveObject): boolean {
  const entries = specEntries(object);
  const ours = entries.filter((entry) => entry.manager === fieldManager && entry.operation === 'Apply');
  if (ours.length === 0) return false;
  const ourTime = Math.max(...ours.map((entry) => Date.parse(entry.time ?? '') || 0));
  return entries.every((entry) => (entry.manager === fieldManager && entry.operation === 'Apply')
    || (entry.time !== undefined && entry.time !== '' && Date.parse(entry.time) < ourTime));
}

/**
 * Field managers other than Tidewater that own any of `fields` (paths like `spec.replicas`,
 * `spec.template.spec.containers[0].image`), newest first; when none is found, the newest other writer.
 */
export function otherManagersOf(object: LiveObject, fields: readonly string[]): string[] {
  const others = specEntries(object)
    .filter((entry) => entry.manager && entry.manager !== fieldManager)
    .sort((a, b) => (Date.parse(b.time ?? '') || 0) - (Date.parse(a.time ?? '') || 0));
  const owning = others.filter((entry) => fields.some((field) => ownsPath(entry.fieldsV1, fieldPathSegments(field))));
  const names = (owning.length > 0 ? owning : others.slice(0, 1)).map((entry) => entry.manager!);
  return [...new Set(names)];
}

/** `metadata.labels["tidewater.dev/app"]` → ['metadata', 'labels', 'tidewater.dev/app']; indices become '[]'. */
export function fieldPathSegments(path: string): string[] {
  const segments: string[] = [];
  const pattern = /([^.[\]]+)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(match[2].replace(/\\(.)/g, '$1'));
    else segments.push('[]');
  }
  return segments;
}

function ownsPath(fields: Record<string, unknown> | undefined, segments: readonly string[]): boolean {
  let current: unknown = fields;
  for (const segment of segments) {
    if (!current || typeof current !== 'object') return false;
    const node = current as Record<string, unknown>;
    if (segment === '[]') {
      // List items are keyed (`k:{"name":"web"}`) or by value; any owned item counts.
      const item = Object.keys(node).find((key) => key.startsWith('k:') || key.startsWith('v:') || key.startsWith('i:'));
      if (!item) return '.' in node;
      current = node[item];
      continue;
    }
    const next = node[`f:${segment}`];
    if (next === undefined) return false;
    current = next;
  }
  return true;
}
