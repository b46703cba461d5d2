import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { z } from 'zod';
import { CommitSha, FullRef } from './git-names.ts';

// The fields Tidewater reads from GitHub-shaped payloads (GitHub, and Gitea/Forgejo which copy its shape).
// @octokit/webhooks ships the payload types but no runtime schema, so these zod schemas are written against
// its types: the assertions at the end fail to compile if a real GitHub payload would not fit them.
// Optional fields accept null (GitHub sends `head_commit: null` on a deletion, for example); a present field of
// the wrong type is a 400 naming that field.

const optionalText = z.string().nullish();
const optionalPaths = z.array(z.string()).nullish();

export const GithubStyleCommit = z.object({
  id: CommitSha,
  message: optionalText,
  timestamp: optionalText,
  author: z.object({ name: optionalText, username: optionalText }).nullish(),
  added: optionalPaths,
  modified: optionalPaths,
  removed: optionalPaths,
});
export type GithubStyleCommit = z.infer<typeof GithubStyleCommit>;

export const GithubStyleRepository = z.object({
  full_name: optionalText,
  clone_url: optionalText,
  ssh_url: optionalText,
  html_url: optionalText,
  git_url: optionalText,
  url: optionalText,
  default_branch: optionalText,
  master_branch: optionalText,
});
export type GithubStyleRepository = z.infer<typeof GithubStyleRepository>;

/** Any event that may name a repository (ping, ignored events): only the repository is read. */
export const GithubStyleRepositoryReference = z.object({ repository: GithubStyleRepository.nullish() });
export type GithubStyleRepositoryReference = z.infer<typeof GithubStyleRepositoryReference>;

export const GithubStylePushPayload = z.object({
  ref: FullRef,
  before: optionalText,
  after: CommitSha,
  deleted: z.boolean().nullish(),
  forced: z.boolean().nullish(),
  commits: z.array(GithubStyleCommit).nullish(),
  head_commit: GithubStyleCommit.nullish(),
  /** Gitea: how many commits the push had when it lists only some. */
  total_commits: z.number().int().nonnegative().nullish(),
  repository: GithubStyleRepository,
  pusher: z.object({ name: optionalText, username: optionalText, login: optionalText }).nullish(),
  sender: z.object({ login: optionalText }).nullish(),
});
export type GithubStylePushPayload = z.infer<typeof GithubStylePushPayload>;

// Compile-time: every payload @octokit/webhooks types as a GitHub push / ping is accepted by these schemas.
type Accepts<Schema extends z.ZodType, Payload> = [Payload] extends [z.input<Schema>] ? true : never;
export const octokitPayloadsFit: [
  Accepts<typeof GithubStylePushPayload, EmitterWebhookEvent<'push'>['payload']>,
  Accepts<typeof GithubStyleRepositoryReference, EmitterWebhookEvent<'ping'>['payload']>,
  Accepts<typeof GithubStyleRepositoryReference, EmitterWebhookEvent<'pull_request'>['payload']>,
] = [true, true, true];
