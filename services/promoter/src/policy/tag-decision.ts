import semver from 'semver';
import type { ImagePolicy } from '@tidewater/config';

/** What the policy says about a candidate tag, given what the Application runs now. */
export type TagDecision =
  | { update: true; tag: string; digest?: string }
  | { update: false; reason: string };

/** A glob of `ignore-tags` (`*` and `?`), anchored. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${escaped}$`);
}

/** Whether a tag passes the policy's allow/ignore filters and constraint (without comparing to the current tag). */
export function tagAllowed(policy: ImagePolicy, tag: string): { allowed: true } | { allowed: false; reason: string } {
  if (policy.ignoreTags.some((glob) => globToRegExp(glob).test(tag))) return { allowed: false, reason: `tag ${tag} matches ignore-tags` };
  if (policy.allowTags !== undefined && !new RegExp(policy.allowTags).test(tag)) return { allowed: false, reason: `tag ${tag} does not match allow-tags` };
  if (policy.strategy === 'semver') {
    const version = semverOf(tag);
    if (!version) return { allowed: false, reason: `tag ${tag} is not a semantic version` };
    if (policy.constraint && !semver.satisfies(version, policy.constraint, { loose: true })) return { allowed: false, reason: `tag ${tag} does not satisfy ${policy.constraint}` };
  }
  if (policy.strategy === 'digest' && policy.constraint !== tag) return { allowed: false, reason: `the digest strategy follows tag ${policy.constraint ?? ''}, not ${tag}` };
  if (policy.strategy === 'numerical' && !/^\d+(\.\d+)?$/.test(tag)) return { allowed: false, reason: `tag ${tag} is not numerical` };
  return { allowed: true };
}

function semverOf(tag: string): string | null {
  return semver.valid(tag, { loose: true }) ?? semver.valid(tag.replace(/^v/, ''), { loose: true });
}

/**
 * Compares a pushed tag with the one the Application runs. The webhook names the new tag, so the common path
 * decides from the two tags alone: newer by the policy's order → update; digest strategy → update when the digest
 * changed; newest-build → the pushed tag is the newest build by definition.
 */
export function decideTag(policy: ImagePolicy, candidate: { tag: string; digest?: string }, current: { tag?: string; digest?: string }): TagDecision {
  const allowed = tagAllowed(policy, candidate.tag);
  if (!allowed.allowed) return { update: false, reason: allowed.reason };
  const withDigest = { update: true as const, tag: candidate.tag, ...(candidate.digest ? { digest: candidate.digest } : {}) };
  if (policy.strategy === 'digest') {
    if (candidate.digest && current.digest === candidate.digest) return { update: false, reason: 'the digest is already deployed' };
    return withDigest;
  }
  if (current.tag === candidate.tag) return { update: false, reason: `tag ${candidate.tag} is already deployed` };
  if (current.tag === undefined) return withDigest;
  switch (policy.strategy) {
    case 'semver': {
      const next = semverOf(candidate.tag);
      const now = semverOf(current.tag);
      if (next && now && !semver.gt(next, now, { loose: true })) return { update: false, reason: `tag ${candidate.tag} is not newer than ${current.tag}` };
      return withDigest;
    }
    case 'alphabetical':
      return candidate.tag > current.tag ? withDigest : { update: false, reason: `tag ${candidate.tag} sorts before ${current.tag}` };
    case 'numerical':
      return Number(candidate.tag) > Number(current.tag) ? withDigest : { update: false, reason: `tag ${candidate.tag} is not greater than ${current.tag}` };
    case 'newest-build':
      return withDigest;
  }
}

/** The best tag of a full listing (the poll path): the policy's greatest allowed tag. */
export function bestTag(policy: ImagePolicy, tags: readonly string[]): string | undefined {
  const allowed = tags.filter((tag) => tagAllowed(policy, tag).allowed);
  if (allowed.length === 0) return undefined;
  switch (policy.strategy) {
    case 'semver':
      return allowed.sort((a, b) => semver.compare(semverOf(a) as string, semverOf(b) as string, { loose: true })).at(-1);
    case 'numerical':
      return allowed.sort((a, b) => Number(a) - Number(b)).at(-1);
    case 'digest':
      return policy.constraint;
    default:
      return allowed.sort().at(-1);
  }
}
