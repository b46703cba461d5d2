import type { Redis } from 'ioredis';
import { normalizeRepoUrl, parseConfigSource } from '@tidewater/config';
import { publishConfigChange } from '@tidewater/queues';
import type { NormalisedPush } from './normalised-push.ts';

/**
 * A verified push to the `git::` configuration repository (on the followed ref, or any ref when the source follows
 * HEAD): every service is told to reload its configuration now. Returns the revision announced, if any.
 */
export async function announceConfigSourcePush(redis: Redis, configSource: string, pushes: readonly NormalisedPush[]): Promise<string | undefined> {
  const parsed = parseConfigSource(configSource);
  if (parsed.kind !== 'git') return undefined;
  const repoURL = normalizeRepoUrl(parsed.git.url);
  const revision = parsed.git.revision;
  const push = pushes.find((candidate) => !candidate.deleted && candidate.repoUrls.some((url) => normalizeRepoUrl(url) === repoURL)
    && ((revision === 'HEAD' && (!candidate.defaultBranch || candidate.branch === candidate.defaultBranch)) || candidate.ref === revision || candidate.ref === `refs/heads/${revision}` || candidate.ref === `refs/tags/${revision}`));
  if (!push) return undefined;
  await publishConfigChange(redis, { repoURL: parsed.git.url.replace(/\/\/[^/@]+@/, '//'), revision: push.revision });
  return push.revision;
}
