import { isRecord } from './live-object-fields.ts';

/**
 * One step of a field path: `status.phase` (keys), `status.containerStatuses[0]` (an index),
 * `status.conditions[type=Ready].status` (the first list entry whose field equals a value) and
 * `metadata.annotations["example.com/key"]` (a key with dots or slashes).
 */
export type FieldPathSegment = { key: string } | { index: number } | { where: { key: string; value: string } };

export type ParsedFieldPath = { segments: FieldPathSegment[] } | { error: string };

/** Parses a dotted field path; a syntax error names the position, never guesses. */
export function parseFieldPath(path: string): ParsedFieldPath {
  const segments: FieldPathSegment[] = [];
  let position = 0;
  const fail = (problem: string): ParsedFieldPath => ({ error: `${problem} at character ${position + 1} of field path "${path}"` });
  if (path.length === 0) return { error: 'field path is empty' };

  while (position < path.length) {
    const nameMatch = /^[^.[\]]+/.exec(path.slice(position));
    if (nameMatch) {
      segments.push({ key: nameMatch[0] });
      position += nameMatch[0].length;
    } else if (path[position] !== '[') {
      return fail('expected a field name');
    }
    while (path[position] === '[') {
      const close = findClosingBracket(path, position);
      if (close === -1) return fail('unclosed "["');
      const inner = path.slice(position + 1, close);
      const segment = bracketSegment(inner);
      if (segment === undefined) return fail('expected [N], [field=value] or ["key"]');
      segments.push(segment);
      position = close + 1;
    }
    if (position === path.length) break;
    if (path[position] !== '.') return fail('expected "." or "["');
    position += 1;
    if (position === path.length) return fail('path ends with "."');
  }
  return { segments };
}

/** The value at a parsed path, or undefined when any step does not exist. */
export function readFieldPath(object: unknown, segments: readonly FieldPathSegment[]): unknown {
  let current: unknown = object;
  for (const segment of segments) {
    if ('key' in segment) {
      current = isRecord(current) ? current[segment.key] : undefined;
    } else if ('index' in segment) {
      current = Array.isArray(current) ? current[segment.index] : undefined;
    } else {
      const { key, value } = segment.where;
      current = Array.isArray(current) ? current.find((entry) => isRecord(entry) && scalarText(entry[key]) === value) : undefined;
    }
    if (current === undefined || current === null) return undefined;
  }
  return current;
}

/** The value at a dotted path (see `FieldPathSegment`); undefined for a missing field or an invalid path. */
export function fieldAt(object: unknown, path: string): unknown {
  const parsed = parseFieldPath(path);
  return 'error' in parsed ? undefined : readFieldPath(object, parsed.segments);
}

function findClosingBracket(path: string, open: number): number {
  const quote = path[open + 1];
  if (quote === '"' || quote === "'") {
    const end = path.indexOf(quote, open + 2);
    return end !== -1 && path[end + 1] === ']' ? end + 1 : -1;
  }
  return path.indexOf(']', open);
}

function bracketSegment(inner: string): FieldPathSegment | undefined {
  if (/^\d+$/.test(inner)) return { index: Number(inner) };
  const quoted = /^(["'])(.+)\1$/.exec(inner);
  if (quoted) return { key: quoted[2] };
  const equals = inner.indexOf('=');
  if (equals > 0 && equals < inner.length - 1) return { where: { key: inner.slice(0, equals), value: inner.slice(equals + 1) } };
  return undefined;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
