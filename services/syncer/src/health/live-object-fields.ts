// Defensive readers for live objects: health checks must never throw on a field of the wrong shape, they
// read what is there and judge from it.

export type LiveObject = Record<string, unknown>;

export interface StatusCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `keys` below `object`, or undefined when any step is missing or not an object. */
export function valueAt(object: unknown, ...keys: string[]): unknown {
  let current: unknown = object;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function recordAt(object: unknown, ...keys: string[]): Record<string, unknown> | undefined {
  const value = valueAt(object, ...keys);
  return isRecord(value) ? value : undefined;
}

export function stringAt(object: unknown, ...keys: string[]): string | undefined {
  const value = valueAt(object, ...keys);
  return typeof value === 'string' ? value : undefined;
}

export function numberAt(object: unknown, ...keys: string[]): number | undefined {
  const value = valueAt(object, ...keys);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function booleanAt(object: unknown, ...keys: string[]): boolean | undefined {
  const value = valueAt(object, ...keys);
  return typeof value === 'boolean' ? value : undefined;
}

export function arrayAt(object: unknown, ...keys: string[]): unknown[] {
  const value = valueAt(object, ...keys);
  return Array.isArray(value) ? value : [];
}

/** `apps/v1` → `apps`; `v1` → `` (the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** `status.conditions` in the Kubernetes shape; entries without a string type and status are skipped. */
export function conditionsOf(object: unknown): StatusCondition[] {
  const conditions: StatusCondition[] = [];
  for (const entry of arrayAt(object, 'status', 'conditions')) {
    const type = stringAt(entry, 'type');
    const status = stringAt(entry, 'status');
    if (type === undefined || status === undefined) continue;
    const condition: StatusCondition = { type, status };
    const reason = stringAt(entry, 'reason');
    const message = stringAt(entry, 'message');
    const observedGeneration = numberAt(entry, 'observedGeneration');
    if (reason) condition.reason = reason;
    if (message) condition.message = message;
    if (observedGeneration !== undefined) condition.observedGeneration = observedGeneration;
    conditions.push(condition);
  }
  return conditions;
}

export function findCondition(object: unknown, type: string): StatusCondition | undefined {
  return conditionsOf(object).find((condition) => condition.type === type);
}

/**
 * When the controller has not yet seen the latest spec: `{ generation, observed }`, else undefined. Only judged
 * when both numbers are present, so a kind that does not publish `status.observedGeneration` is never stuck.
 */
export function generationLag(object: unknown, observedGeneration = numberAt(object, 'status', 'observedGeneration')): { generation: number; observed: number } | undefined {
  const generation = numberAt(object, 'metadata', 'generation');
  if (generation === undefined || observedGeneration === undefined) return undefined;
  return observedGeneration < generation ? { generation, observed: observedGeneration } : undefined;
}

/** Joins non-empty parts with a separator; undefined when nothing is left. */
export function joinMessages(parts: Array<string | undefined>, separator = '; '): string | undefined {
  const present = parts.filter((part): part is string => typeof part === 'string' && part.length > 0);
  return present.length > 0 ? present.join(separator) : undefined;
}
