import { verify } from '@octokit/webhooks-methods';
import { PayloadError, WebhookSignatureError } from '../errors/http-errors.ts';
import { bodyText } from './body-text.ts';
import { isZeroSha, refParts, type HeadCommit, type NormalisedPush } from '../push/normalised-push.ts';
import {
  arrayField, booleanField, fieldOf, numberField, pathsOfCommits, stringField, stringFields,
} from './payload-fields.ts';
import { headerValue, type GitProviderAdapter, type EventKind } from './provider-adapter.ts';

/** GitHub lists at most this many commits; a push that reaches it may have more, so its paths are unknown. */
const githubCommitListLimit = 2048;

/** GitHub: `X-Hub-Signature-256: sha256=<hex>`, checked with octokit's constant-time `verify`. */
export function createGithubAdapter(): GitProviderAdapter {
  return {
    provider: 'github',
    acceptsFormBody: true,
    deliveryId: (headers) => headerValue(headers, 'x-github-delivery'),
    eventName: (headers) => headerValue(headers, 'x-github-event'),
    eventKind: githubStyleEventKind,
    async verifiedSecrets(rawBody, headers, secrets) {
      const signature = headerValue(headers, 'x-hub-signature-256');
      if (!signature) throw new WebhookSignatureError('missing X-Hub-Signature-256 header');
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

export function githubStyleRepositoryIdentifiers(payload: unknown) {
  return {
    urls: stringFields(payload, ['repository.clone_url', 'repository.ssh_url', 'repository.html_url', 'repository.git_url', 'repository.url']),
    fullNames: stringFields(payload, ['repository.full_name']),
  };
}

/** A GitHub-shaped push (GitHub, Gitea, Forgejo) in the normalised shape. */
export function normaliseGithubStylePush(
  provider: 'github' | 'gitea',
  payload: unknown,
  context: { deliveryId: string; repoUrls: string[] },
): NormalisedPush {
  const ref = stringField(payload, 'ref');
  const after = stringField(payload, 'after');
  if (!ref) throw new PayloadError('push payload has no "ref"');
  if (!after) throw new PayloadError('push payload has no "after"');
  const before = stringField(payload, 'before') ?? '';
  const deleted = booleanField(payload, 'deleted') === true || isZeroSha(after);
  const commits = arrayField(payload, 'commits') ?? [];
  const forced = booleanField(payload, 'forced') === true;
  const headCommit = githubStyleCommit(fieldOf(payload, 'head_commit'));

  // A force push can drop commits whose files are then changed without being listed; an empty list on a
  // non-deleting push (a new branch or tag at an existing commit) or a truncated list says nothing either.
  // Gitea reports `total_commits` when it lists only some of them.
  const totalCommits = numberField(payload, 'total_commits');
  const truncated = commits.length >= githubCommitListLimit || (totalCommits !== undefined && totalCommits > commits.length);
  const pathsKnown = !deleted && !forced && commits.length > 0 && !truncated;
  const { branch, tag } = refParts(ref);
  return {
    provider,
    deliveryId: context.deliveryId,
    repoUrls: context.repoUrls,
    ref,
    ...(branch !== undefined ? { branch } : {}),
    ...(tag !== undefined ? { tag } : {}),
    before,
    after,
    // For an annotated tag `after` is the tag object; head_commit is the commit it points at.
    revision: tag && headCommit ? headCommit.id : after,
    deleted,
    changedPaths: pathsKnown ? pathsOfCommits(commits) : undefined,
    defaultBranch: stringField(payload, 'repository.default_branch') ?? stringField(payload, 'repository.master_branch'),
    actor: stringField(payload, 'pusher.name') ?? stringField(payload, 'sender.login') ?? stringField(payload, 'pusher.username'),
    ...(headCommit ? { headCommit } : {}),
  };
}

function githubStyleCommit(commit: unknown): HeadCommit | undefined {
  const id = stringField(commit, 'id');
  if (!id) return undefined;
  return {
    id,
    message: stringField(commit, 'message') ?? '',
    timestamp: stringField(commit, 'timestamp'),
    author: stringField(commit, 'author.username') ?? stringField(commit, 'author.name'),
  };
}
