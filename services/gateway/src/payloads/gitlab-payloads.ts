import { z } from 'zod';
import { CommitSha, FullRef } from './git-names.ts';

// The fields Tidewater reads from GitLab's `Push Hook` and `Tag Push Hook` (GitLab's webhook events docs).
// Optional fields accept null; a present field of the wrong type is a 400 naming it.

const optionalText = z.string().nullish();
const optionalPaths = z.array(z.string()).nullish();

export const GitlabCommit = z.object({
  id: CommitSha,
  message: optionalText,
  timestamp: optionalText,
  author: z.object({ name: optionalText }).nullish(),
  added: optionalPaths,
  modified: optionalPaths,
  removed: optionalPaths,
});
export type GitlabCommit = z.infer<typeof GitlabCommit>;

export const GitlabProject = z.object({
  git_http_url: optionalText,
  git_ssh_url: optionalText,
  web_url: optionalText,
  http_url: optionalText,
  ssh_url: optionalText,
  path_with_namespace: optionalText,
  default_branch: optionalText,
});
export type GitlabProject = z.infer<typeof GitlabProject>;

export const GitlabRepository = z.object({
  git_http_url: optionalText,
  git_ssh_url: optionalText,
  homepage: optionalText,
});
export type GitlabRepository = z.infer<typeof GitlabRepository>;

/** Any GitLab event: only the project and repository are read. */
export const GitlabRepositoryReference = z.object({
  project: GitlabProject.nullish(),
  repository: GitlabRepository.nullish(),
});
export type GitlabRepositoryReference = z.infer<typeof GitlabRepositoryReference>;

export const GitlabPushPayload = GitlabRepositoryReference.extend({
  ref: FullRef,
  before: optionalText,
  after: CommitSha,
  /** The commit to render; for an annotated tag `after` is the tag object. Null on a deletion. */
  checkout_sha: CommitSha.nullish(),
  user_username: optionalText,
  user_name: optionalText,
  /** At most 20 are listed. */
  commits: z.array(GitlabCommit).nullish(),
  total_commits_count: z.number().int().nonnegative().nullish(),
});
export type GitlabPushPayload = z.infer<typeof GitlabPushPayload>;
