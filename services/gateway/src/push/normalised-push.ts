/** The Git providers the gateway accepts webhooks from; each has its route `/webhooks/git/<provider>`. */
export const gitProviders = ['github', 'gitlab', 'gitea', 'bitbucket'] as const;
export type GitProvider = (typeof gitProviders)[number];

export interface HeadCommit {
  id: string;
  message: string;
  timestamp?: string;
  author?: string;
}

/** One ref update from any provider, in one shape. */
export interface NormalisedPush {
  provider: GitProvider;
  deliveryId: string;
  /** The repository's URLs, normalised with `normalizeRepoUrl`. */
  repoUrls: string[];
  /** Full ref name: `refs/heads/main`, `refs/tags/v1.2.0`. */
  ref: string;
  branch?: string;
  tag?: string;
  before: string;
  /** The ref's new object id (all zeros when the ref was deleted). */
  after: string;
  /** The commit to render: `after`, or the tagged commit when `after` names an annotated tag object. */
  revision: string;
  deleted: boolean;
  /** Repository-relative paths the push changed; undefined when unknown (every app of the repo and ref is affected). */
  changedPaths: string[] | undefined;
  /** The repository's default branch when the payload names it (Argo CD's `HEAD`). */
  defaultBranch?: string;
  actor?: string;
  headCommit?: HeadCommit;
}

export const zeroSha = '0000000000000000000000000000000000000000';

export function isZeroSha(sha: string | undefined): boolean {
  return !sha || /^0+$/.test(sha);
}

/** Splits a full ref into its branch or tag name. */
export function refParts(ref: string): { branch?: string; tag?: string } {
  if (ref.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return {};
}
