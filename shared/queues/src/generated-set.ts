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
