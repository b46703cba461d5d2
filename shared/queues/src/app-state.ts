import type { Redis } from 'ioredis';
import { z } from 'zod';
import { redisKeys } from './keys.ts';

// Schemas of the per-application keys the syncer writes and operator-facing services (the API) read
// (redisKeys.syncStatus, appHealth, appDrift, history, paused, bundle). Loose objects: a writer that adds a field
// does not break a reader; a record that does not parse is reported as unreadable, never cast.

const ObjectOutcomeSchema = z.enum(['created', 'configured', 'unchanged', 'pruned', 'failed', 'skipped']);
const HealthStatusSchema = z.enum(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);
const StoredTrigger = z.looseObject({ kind: z.string(), actor: z.string().optional(), deliveryId: z.string().optional() });

/** `redisKeys.syncStatus(app)`: the app's last sync result. */
export const StoredSyncResult = z.looseObject({
  app: z.string(),
  revision: z.string(),
  phase: z.enum(['Succeeded', 'Failed', 'Superseded']),
  message: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  objects: z.array(z.looseObject({
    group: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(),
    outcome: ObjectOutcomeSchema, message: z.string().optional(),
  })),
  trigger: StoredTrigger.optional(),
});
export type StoredSyncResult = z.infer<typeof StoredSyncResult>;

/** `redisKeys.appHealth(app)`: the app's health from the syncer's live state. */
export const StoredAppHealth = z.looseObject({
  app: z.string(),
  status: HealthStatusSchema,
  message: z.string().optional(),
  revision: z.string().optional(),
  objects: z.array(z.looseObject({
    group: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(),
    status: HealthStatusSchema, message: z.string().optional(),
  })),
  updatedAt: z.string(),
});
export type StoredAppHealth = z.infer<typeof StoredAppHealth>;

/** `redisKeys.appDrift(app)`: objects that differ from what the latest sync applied. */
export const StoredAppDrift = z.looseObject({
  app: z.string(),
  revision: z.string(),
  outOfSync: z.boolean(),
  objects: z.array(z.looseObject({
    ref: z.looseObject({ group: z.string(), version: z.string().optional(), kind: z.string(), namespace: z.string().optional(), name: z.string() }),
    fields: z.array(z.string()),
    missing: z.boolean().optional(),
    managers: z.array(z.string()).optional(),
  })),
  detectedAt: z.string(),
});
export type StoredAppDrift = z.infer<typeof StoredAppDrift>;

/** One entry of `redisKeys.history(app)` (newest first). */
export const StoredHistoryEntry = z.looseObject({
  id: z.number(),
  app: z.string(),
  revision: z.string(),
  phase: z.enum(['Succeeded', 'Failed', 'Superseded']),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  trigger: StoredTrigger,
  message: z.string().optional(),
  bundleKey: z.string().optional(),
});
export type StoredHistoryEntry = z.infer<typeof StoredHistoryEntry>;

/** `redisKeys.paused(app)`: set while automated sync is paused (after a rollback). */
export const StoredPause = z.looseObject({
  revision: z.string(),
  by: z.string().optional(),
  at: z.string().optional(),
  reason: z.string().optional(),
  from: z.string().optional(),
});
export type StoredPause = z.infer<typeof StoredPause>;

/** `redisKeys.bundle(key)`: what the renderer produced for one app at one commit. */
export const StoredBundle = z.looseObject({
  app: z.string(),
  repoURL: z.string(),
  revision: z.string(),
  path: z.string(),
  objects: z.array(z.looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  })),
  renderedAt: z.string(),
  renderer: z.string(),
});
export type StoredBundle = z.infer<typeof StoredBundle>;

/** A key whose value did not parse with its schema: which key and field, never the value. */
export interface UnreadableRecord {
  key: string;
  problem: string;
}

/** Everything the syncer recorded about one app, each part parsed with its schema. */
export interface AppState {
  app: string;
  sync?: StoredSyncResult;
  health?: StoredAppHealth;
  drift?: StoredAppDrift;
  pause?: StoredPause;
  unreadable: UnreadableRecord[];
}

function parseRecord<T extends z.ZodType>(schema: T, key: string, raw: string | null, unreadable: UnreadableRecord[]): z.infer<T> | undefined {
  if (raw === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    unreadable.push({ key, problem: 'not JSON' });
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    unreadable.push({ key, problem: `${issue.path.join('.') || '(record)'}: ${issue.message}` });
    return undefined;
  }
  return parsed.data;
}

/** Reads sync result, health, drift and pause of many apps in one round trip (MGET per app set, pipelined). */
export async function readAppStates(redis: Redis, apps: readonly string[]): Promise<AppState[]> {
  if (apps.length === 0) return [];
  const keys = apps.flatMap((app) => [redisKeys.syncStatus(app), redisKeys.appHealth(app), redisKeys.appDrift(app), redisKeys.paused(app)]);
  // One MGET per app, pipelined: one round trip for any number of apps. (On a Redis Cluster the four keys of an app
  // would need a `{app}` hash tag, which redisKeys do not have today; a pipeline of GETs has the same limit there.)
  const pipeline = redis.pipeline();
  for (let index = 0; index < apps.length; index += 1) pipeline.mget(keys.slice(index * 4, index * 4 + 4));
  const replies = (await pipeline.exec()) ?? [];
  return apps.map((app, index) => {
    const [error, values] = replies[index] ?? [null, []];
    if (error) throw error;
    const at = (offset: number) => (values as Array<string | null>)[offset] ?? null;
    const unreadable: UnreadableRecord[] = [];
    const sync = parseRecord(StoredSyncResult, redisKeys.syncStatus(app), at(0), unreadable);
    const health = parseRecord(StoredAppHealth, redisKeys.appHealth(app), at(1), unreadable);
    const drift = parseRecord(StoredAppDrift, redisKeys.appDrift(app), at(2), unreadable);
    const pause = parseRecord(StoredPause, redisKeys.paused(app), at(3), unreadable);
    return { app, ...(sync ? { sync } : {}), ...(health ? { health } : {}), ...(drift ? { drift } : {}), ...(pause ? { pause } : {}), unreadable };
  });
}

/** The app's recorded syncs, newest first; entries that do not parse are left out and reported. */
export async function readSyncHistory(redis: Redis, app: string): Promise<{ entries: StoredHistoryEntry[]; unreadable: UnreadableRecord[] }> {
  const key = redisKeys.history(app);
  const raw = await redis.lrange(key, 0, -1);
  const unreadable: UnreadableRecord[] = [];
  const entries = raw.flatMap((text) => {
    const entry = parseRecord(StoredHistoryEntry, key, text, unreadable);
    return entry ? [entry] : [];
  });
  return { entries, unreadable };
}

/** A rendered bundle by its key, or undefined when it expired from the renderer's cache (or does not parse). */
export async function readBundle(redis: Redis, bundleKey: string): Promise<StoredBundle | undefined> {
  return parseRecord(StoredBundle, bundleKey, await redis.get(bundleKey), []);
}
