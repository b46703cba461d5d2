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

/**
 * Flux's `extract` template (Go's `Regexp.ReplaceAllString` syntax: `$name`, `${name}`, `$1`, `$$`) in JavaScript's
 * replacement syntax (`$<name>`, `$1`, `$$`).
 */
export function goReplacement(template: string): string {
  return template.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare;
    if (name === undefined) return '$$';
    return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
  });
}

/**
 * The value a tag is ordered by: with Flux's `filterTags.extract`, the template applied to the pattern's groups
 * (`main-abc123-1718000000` with pattern `^main-[a-f0-9]+-(?P<ts>[0-9]+)` and extract `$ts` → `1718000000`);
 * otherwise the tag itself.
 */
export function comparableValue(policy: ImagePolicy, tag: string): string {
  if (!policy.extract || policy.allowTags === undefined) return tag;
  return tag.replace(new RegExp(policy.allowTags, 'g'), goReplacement(policy.extract));
}

/** Whether a tag passes the policy's allow/ignore filters and constraint (without comparing to the current tag). */
export function tagAllowed(policy: ImagePolicy, tag: string): { allowed: true } | { allowed: false; reason: string } {
  if (policy.ignoreTags.some((glob) => globToRegExp(glob).test(tag))) return { allowed: false, reason: `tag ${tag} matches ignore-tags` };
  if (policy.allowTags !== undefined && !new RegExp(policy.allowTags).test(tag)) return { allowed: false, reason: `tag ${tag} does not match allow-tags` };
  const value = comparableValue(policy, tag);
  const shown = value === tag ? `tag ${tag}` : `tag ${tag} (extracted ${value})`;
  if (policy.strategy === 'semver') {
    const version = semverOf(value);
    if (!version) return { allowed: false, reason: `${shown} is not a semantic version` };
    if (policy.constraint && !semver.satisfies(version, policy.constraint, { loose: true })) return { allowed: false, reason: `${shown} does not satisfy ${policy.constraint}` };
  }
  if (policy.strategy === 'digest' && policy.constraint !== tag) return { allowed: false, reason: `the digest strategy follows tag ${policy.constraint ?? ''}, not ${tag}` };
  if (policy.strategy === 'numerical' && !/^-?\d+(\.\d+)?$/.test(value)) return { allowed: false, reason: `${shown} is not numerical` };
  return { allowed: true };
}

function semverOf(tag: string): string | null {
  return semver.valid(tag, { loose: true }) ?? semver.valid(tag.replace(/^v/, ''), { loose: true });
}

/** Ascending comparison of two allowed tags by the policy's order (semver, numerical or alphabetical) of their comparable values. */
function compareAscending(policy: ImagePolicy, a: string, b: string): number {
  const left = comparableValue(policy, a);
  const right = comparableValue(policy, b);
  switch (policy.strategy) {
    case 'semver':
      return semver.compare(semverOf(left) as string, semverOf(right) as string, { loose: true });
    case 'numerical':
      return Number(left) - Number(right);
    default:
      return left < right ? -1 : left > right ? 1 : 0;
  }
}

/** Whether `candidate` is preferred to `current`: later in ascending order, or earlier with `order: desc`. */
function preferred(policy: ImagePolicy, candidate: string, current: string): boolean {
  const comparison = compareAscending(policy, candidate, current);
  return policy.order === 'desc' ? comparison < 0 : comparison > 0;
}

/**
 * Compares a pushed tag with the one the Application runs. The webhook names the new tag, so the common path
 * decides from the two tags alone: preferred by the policy's order → update; digest strategy → update when the digest
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
  if (current.tag === undefined || policy.strategy === 'newest-build') return withDigest;
  // A current tag that is no semantic version cannot be ordered against: any allowed candidate replaces it.
  if (policy.strategy === 'semver' && !semverOf(comparableValue(policy, current.tag))) return withDigest;
  if (preferred(policy, candidate.tag, current.tag)) return withDigest;
  const how = policy.order === 'desc' ? 'does not sort before' : 'is not newer than';
  return { update: false, reason: `tag ${candidate.tag} ${how} ${current.tag}` };
}

/** The best tag of a full listing (the poll path): the policy's first allowed tag by its order. */
export function bestTag(policy: ImagePolicy, tags: readonly string[]): string | undefined {
  return rankedTags(policy, tags)[0];
}

/** The allowed tags of a listing, best first by the policy's order (digest: the followed tag alone). */
export function rankedTags(policy: ImagePolicy, tags: readonly string[]): string[] {
  if (policy.strategy === 'digest') return policy.constraint ? [policy.constraint] : [];
  const allowed = tags.filter((tag) => tagAllowed(policy, tag).allowed);
  return allowed.sort((a, b) => (preferred(policy, a, b) ? -1 : preferred(policy, b, a) ? 1 : 0));
}

/** Whether an offered platform satisfies a wanted one: `os/arch` takes any variant, `os/arch/variant` only that one. */
function platformMatches(wanted: string, offered: string): boolean {
  if (wanted === offered) return true;
  return wanted.split('/').length === 2 && offered.startsWith(`${wanted}/`);
}

/** The policy's platforms the manifest does not offer (empty: the tag qualifies). */
export function missingPlatforms(policy: ImagePolicy, offered: readonly string[]): string[] {
  return policy.platforms.filter((wanted) => !offered.some((candidate) => platformMatches(wanted, candidate)));
}
