import { typeMatches, type AuditQuery } from './audit-query.ts';

/** The fields of a record the index keeps (the record itself stays in the file). */
export interface IndexedFields {
  timeMs: number;
  type: string;
  apps: readonly string[];
  actor?: string;
}

export interface RecordLocation {
  offset: number;
  length: number;
}

/**
 * An in-memory index of the audit log, rebuilt from the file at start. Column arrays plus posting lists per
 * application and actor: about 85 bytes of heap per record (1 million records ≈ 85 MB), which bounds how large
 * a single log should grow before a new directory is started (see README).
 * Position p (1-based) is the p-th line of the file, which is the record with seq p in an intact log.
 */
export interface AuditIndex {
  readonly size: number;
  /** Bytes up to the end of the last indexed line. */
  readonly endOffset: number;
  add(location: RecordLocation, fields: IndexedFields): void;
  location(position: number): RecordLocation;
  /** Positions after `afterPosition` whose record matches, ascending, at most `limit`. */
  find(query: AuditQuery, afterPosition: number, limit: number): number[];
  /** Every application name seen. */
  apps(): string[];
}

export function createAuditIndex(): AuditIndex {
  const offsets: number[] = [];
  const lengths: number[] = [];
  const times: number[] = [];
  const typeIds: number[] = [];
  const actorIds: number[] = [];
  const appIds: number[] = [];
  /** Records naming more than one application (webhook events): position → app ids. */
  const extraApps = new Map<number, number[]>();
  const appPostings = new Map<number, number[]>();
  const actorPostings = new Map<number, number[]>();
  const idsByString = new Map<string, number>();
  const strings: string[] = [];
  let endOffset = 0;

  function intern(value: string): number {
    let id = idsByString.get(value);
    if (id === undefined) {
      id = strings.length;
      strings.push(value);
      idsByString.set(value, id);
    }
    return id;
  }

  function post(postings: Map<number, number[]>, id: number, position: number) {
    const list = postings.get(id);
    if (list) list.push(position);
    else postings.set(id, [position]);
  }

  function recordHasApp(position: number, appId: number): boolean {
    if (appIds[position - 1] === appId) return true;
    return extraApps.get(position)?.includes(appId) ?? false;
  }

  return {
    get size() {
      return offsets.length;
    },
    get endOffset() {
      return endOffset;
    },
    add(location, fields) {
      const position = offsets.length + 1;
      offsets.push(location.offset);
      lengths.push(location.length);
      times.push(fields.timeMs);
      typeIds.push(intern(fields.type));
      const actorId = fields.actor === undefined ? -1 : intern(fields.actor);
      actorIds.push(actorId);
      if (actorId >= 0) post(actorPostings, actorId, position);
      const apps = [...new Set(fields.apps)].map(intern);
      appIds.push(apps[0] ?? -1);
      if (apps.length > 1) extraApps.set(position, apps);
      for (const appId of apps) post(appPostings, appId, position);
      endOffset = location.offset + location.length;
    },
    location(position) {
      return { offset: offsets[position - 1], length: lengths[position - 1] };
    },
    find(query, afterPosition, limit) {
      const found: number[] = [];
      if (limit < 1) return found;
      const appId = query.app === undefined ? undefined : idsByString.get(query.app);
      const actorId = query.actor === undefined ? undefined : idsByString.get(query.actor);
      if ((query.app !== undefined && appId === undefined) || (query.actor !== undefined && actorId === undefined)) return found;

      // Walk the shorter posting list when one applies, else every position.
      let candidates: number[] | undefined;
      if (appId !== undefined) candidates = appPostings.get(appId) ?? [];
      if (actorId !== undefined) {
        const byActor = actorPostings.get(actorId) ?? [];
        if (!candidates || byActor.length < candidates.length) candidates = byActor;
      }
      const typeVerdicts = new Map<number, boolean>();
      const matches = (position: number): boolean => {
        const index = position - 1;
        const time = times[index];
        if (query.fromMs !== undefined && !(time >= query.fromMs)) return false;
        if (query.toMs !== undefined && !(time < query.toMs)) return false;
        if (actorId !== undefined && actorIds[index] !== actorId) return false;
        if (appId !== undefined && !recordHasApp(position, appId)) return false;
        if (query.type !== undefined || query.types) {
          const typeId = typeIds[index];
          let verdict = typeVerdicts.get(typeId);
          if (verdict === undefined) {
            const type = strings[typeId];
            verdict = (query.type === undefined || typeMatches(type, query.type))
              && (!query.types || query.types.some((pattern) => typeMatches(type, pattern)));
            typeVerdicts.set(typeId, verdict);
          }
          if (!verdict) return false;
        }
        return true;
      };

      if (candidates) {
        for (let i = firstAfter(candidates, afterPosition); i < candidates.length && found.length < limit; i++) {
          if (matches(candidates[i])) found.push(candidates[i]);
        }
      } else {
        for (let position = Math.max(1, afterPosition + 1); position <= offsets.length && found.length < limit; position++) {
          if (matches(position)) found.push(position);
        }
      }
      return found;
    },
    apps() {
      return [...appPostings.keys()].map((id) => strings[id]);
    },
  };
}

/** Index of the first element greater than `value` in an ascending list. */
function firstAfter(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}
