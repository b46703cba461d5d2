/** What the audit log can be searched by. Every field narrows the result; none means everything. */
export interface AuditQuery {
  /** `data.app`, or one of `data.apps` (webhook events name every application they trigger). */
  app?: string;
  /** `data.actor`. */
  actor?: string;
  /** An exact type, or a prefix: `dev.tidewater.sync` (matches at a `.`) or `dev.tidewater.sync*`. */
  type?: string;
  /** Any of these types or prefixes (same matching as `type`); used by the DORA computation. */
  types?: readonly string[];
  /** Event time, inclusive, epoch ms. */
  fromMs?: number;
  /** Event time, exclusive, epoch ms. */
  toMs?: number;
}

/** Whether `type` is selected by the query's `type` (exact, `prefix` at a dot, or `prefix*`). */
export function typeMatches(type: string, pattern: string): boolean {
  if (pattern.endsWith('*')) return type.startsWith(pattern.slice(0, -1));
  if (type === pattern) return true;
  return type.startsWith(pattern.endsWith('.') ? pattern : `${pattern}.`);
}

export function hasFilters(query: AuditQuery): boolean {
  return query.app !== undefined || query.actor !== undefined || query.type !== undefined || query.types !== undefined
    || query.fromMs !== undefined || query.toMs !== undefined;
}
