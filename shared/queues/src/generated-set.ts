import type { Redis } from 'ioredis';
import { z } from 'zod';
import { redisKeys } from './keys.ts';

/**
 * The renderer's last good evaluation of an ApplicationSet with a git generator. `applications` are
 * Argo CD Application documents as generated; a reader validates each with @tidewater/config's schema.
 * A failed or suspicious evaluation never overwrites it (see applyGeneration), so it is safe to act on.
 */
export const GeneratedApplicationSet = z.object({
  applicationSet: z.string().min(1),
  /** repoURL → commit the git generators read. */
  revisions: z.record(z.string(), z.string()),
  generatedAt: z.string(),
  applications: z.array(z.record(z.string(), z.unknown())),
  /** The last evaluation's problem when the set above was kept instead (error or suspicious empty result). */
  problem: z.string().optional(),
});
export type GeneratedApplicationSet = z.infer<typeof GeneratedApplicationSet>;

/** Reads the published sets of these ApplicationSets; a missing or unparsable key is left out (and named in `invalid`). */
export async function readGeneratedApplicationSets(redis: Redis, names: readonly string[]): Promise<{ sets: GeneratedApplicationSet[]; invalid: string[] }> {
  if (names.length === 0) return { sets: [], invalid: [] };
  const values = await redis.mget(...names.map((name) => redisKeys.generatedApplicationSet(name)));
  const sets: GeneratedApplicationSet[] = [];
  const invalid: string[] = [];
  values.forEach((value, index) => {
    if (value === null) return;
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      invalid.push(names[index]);
      return;
    }
    const parsed = GeneratedApplicationSet.safeParse(json);
    if (parsed.success) sets.push(parsed.data);
    else invalid.push(names[index]);
  });
  return { sets, invalid };
}

export async function writeGeneratedApplicationSet(redis: Redis, set: GeneratedApplicationSet): Promise<void> {
  await redis.set(redisKeys.generatedApplicationSet(set.applicationSet), JSON.stringify(GeneratedApplicationSet.parse(set)));
}

/**
 * What a load-time (list / clusters) ApplicationSet last contributed, remembered across restarts: with
 * `applicationsSync` create-only / create-update an Application whose element vanished is kept, as Argo CD keeps the
 * Application object it created; a restarted service must not start again from the generators' output alone.
 * `applications` are Argo CD Application documents; a reader validates each with @tidewater/config's schema.
 */
export const RememberedApplicationSet = z.object({
  applicationSet: z.string().min(1),
  rememberedAt: z.string(),
  applications: z.array(z.record(z.string(), z.unknown())),
});
export type RememberedApplicationSet = z.infer<typeof RememberedApplicationSet>;

/** The Redis hash of the load-time ApplicationSets' remembered sets (field: the ApplicationSet's name). */
export const rememberedApplicationSetsKey = 'tidewater:appset:remembered';

/** Every remembered set (one HGETALL); an unparsable field is left out. */
export async function readRememberedApplicationSets(redis: Redis): Promise<RememberedApplicationSet[]> {
  const fields = await redis.hgetall(rememberedApplicationSetsKey);
  return Object.values(fields).flatMap((value) => {
    try {
      const parsed = RememberedApplicationSet.safeParse(JSON.parse(value));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/** Remembers a load-time set (`applications` undefined: the ApplicationSet left the configuration, forget it). */
export async function writeRememberedApplicationSet(redis: Redis, applicationSet: string, applications: readonly Record<string, unknown>[] | undefined): Promise<void> {
  if (applications === undefined) {
    await redis.hdel(rememberedApplicationSetsKey, applicationSet);
    return;
  }
  const set = RememberedApplicationSet.parse({ applicationSet, rememberedAt: new Date().toISOString(), applications });
  await redis.hset(rememberedApplicationSetsKey, applicationSet, JSON.stringify(set));
}
