import { verify } from '@octokit/webhooks-methods';
import { WebhookSignatureError } from '../errors/http-errors.ts';
import {
  GithubStylePushPayload, GithubStyleRepositoryReference, type GithubStyleCommit,
} from '../payloads/github-payloads.ts';
import { parsePayload } from '../payloads/parse-payload.ts';
import { isZeroSha, refParts, type HeadCommit, type NormalisedPush } from '../push/normalised-push.ts';
import { bodyText } from './body-text.ts';
import { distinctNonEmpty, nonEmpty, pathsOfCommits } from './payload-fields.ts';
import { headerValue, type EventKind, type GitProviderAdapter, type RepositoryIdentifiers } from './provider-adapter.ts';

/** GitHub lists at most this many commits; a push that reaches it may have more, so its paths are unknown. */
const githubCommitListLimit = 2048;

/** GitHub: `X-Hub-Signature-256: sha256=<hex>`, checked with octokit's constant-time `verify` (one HMAC per secret). */
export function createGithubAdapter(): GitProviderAdapter {
  return {
    provider: 'github',
    acceptsFormBody: true,
    deliveryId: (headers) => headerValue(headers, 'x-github-delivery'),
    eventName: (headers) => headerValue(headers, 'x-github-event'),
    eventKind: githubStyleEventKind,
    async verifiedSecrets(rawBody, headers, secrets) {
      const signature = headerValue(headers, 'x-hub-signature-256');
      if (!signature) throw new WebhookSignatureError('missing X-Hub-Signature-256 header', 'signature_missing');
      // A header that cannot be a SHA-256 signature costs no HMAC at all.
      if (!/^sha256=[0-9a-fA-F]{64}$/.test(signature)) throw new WebhookSignatureError('X-Hub-Signature-256 is not sha256=<64 hex digits>');
      const payload = bodyText(rawBody);
      const verified: string[] = [];
      for (const secret of secrets) {
        if (await verify(secret, payload, signature)) verified.push(secret);
      }
      return verified;
    },
    repositoryIdentifiers: githubStyleRepositoryIdentifiers,
    normalisePushes: (payload, context) => [normaliseGithubStylePush('github', payload, context)],
  };
}

/** GitHub and Gitea/Forgejo share event names. */
export function githubStyleEventKind(eventName: string): EventKind {
  if (eventName === 'push') return 'push';
  if (eventName === 'ping') return 'ping';
  return 'ignored';
}

export function githubStyleRepositoryIdentifiers(payload: unknown): RepositoryIdentifiers {
  const { repository } = parsePayload(GithubStyleRepositoryReference, payload, 'payload');
  return {
    urls: distinctNonEmpty([repository?.clone_url, repository?.ssh_url, repository?.html_url, repository?.git_url, repository?.url]),
    fullNames: distinctNonEmpty([repository?.full_name]),
  };
}

/** A GitHub-shaped push (GitHub, Gitea, Forgejo) in the normalised shape; a malformed one is a 400 naming the field. */
export function normaliseGithubStylePush(
  provider: 'github' | 'gitea',
  payload: unknown,
  context: { deliveryId: string; repoUrls: string[] },
): NormalisedPush {
  const push = parsePayload(GithubStylePushPayload, payload, 'push payload');
  const { ref, after } = push;
  const deleted = push.deleted === true || isZeroSha(after);
  const commits = push.commits ?? [];
  const headCommit = push.head_commit ? githubStyleCommit(push.head_commit) : undefined;

  // A force push can drop commits whose files are then changed without being listed; an empty list on a
  // non-deleting push (a new branch or tag at an existing commit) or a truncated list says nothing either.
  // Gitea reports `total_commits` when it lists only some of them.
  const totalCommits = push.total_commits ?? undefined;
  const truncated = commits.length >= githubCommitListLimit || (totalCommits !== undefined && totalCommits > commits.length);
  const pathsKnown = !deleted && push.forced !== true && commits.length > 0 && !truncated;
  const { branch, tag } = refParts(ref);
  const defaultBranch = nonEmpty(push.repository.default_branch) ?? nonEmpty(push.repository.master_branch);
  const actor = nonEmpty(push.pusher?.name) ?? nonEmpty(push.sender?.login) ?? nonEmpty(push.pusher?.username) ?? nonEmpty(push.pusher?.login);
  return {
    provider,
    deliveryId: context.deliveryId,
    repoUrls: context.repoUrls,
    ref,
    ...(branch !== undefined ? { branch } : {}),
    ...(tag !== undefined ? { tag } : {}),
    before: push.before ?? '',
    after,
    // For an annotated tag `after` is the tag object; head_commit is the commit it points at.
    revision: tag && headCommit ? headCommit.id : after,
    deleted,
    changedPaths: pathsKnown ? pathsOfCommits(commits) : undefined,
    ...(defaultBranch !== undefined ? { defaultBranch } : {}),
    ...(actor !== undefined ? { actor } : {}),
    ...(headCommit ? { headCommit } : {}),
  };
}

function githubStyleCommit(commit: GithubStyleCommit): HeadCommit {
  const timestamp = nonEmpty(commit.timestamp);
  const author = nonEmpty(commit.author?.username) ?? nonEmpty(commit.author?.name);
  return {
    id: commit.id,
    message: commit.message ?? '',
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(author !== undefined ? { author } : {}),
  };
}
