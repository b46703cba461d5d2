import { WebhookSignatureError } from '../errors/http-errors.ts';
import { GitlabPushPayload, GitlabRepositoryReference, type GitlabCommit } from '../payloads/gitlab-payloads.ts';
import { parsePayload } from '../payloads/parse-payload.ts';
import { isZeroSha, refParts, type HeadCommit, type NormalisedPush } from '../push/normalised-push.ts';
import { distinctNonEmpty, nonEmpty, pathsOfCommits } from './payload-fields.ts';
import { headerValue, type GitProviderAdapter } from './provider-adapter.ts';
import { constantTimeEqual } from './signatures.ts';

/** GitLab: `X-Gitlab-Token` is the plain secret; compared in constant time. */
export function createGitlabAdapter(): GitProviderAdapter {
  return {
    provider: 'gitlab',
    acceptsFormBody: false,
    // Idempotency-Key (GitLab 17.4+) is stable across retries; the event UUID is the older fallback.
    deliveryId: (headers) => headerValue(headers, 'idempotency-key') ?? headerValue(headers, 'x-gitlab-event-uuid'),
    eventName: (headers) => headerValue(headers, 'x-gitlab-event'),
    eventKind(eventName) {
      if (eventName === 'Push Hook' || eventName === 'Tag Push Hook') return 'push';
      return 'ignored';
    },
    async verifiedSecrets(_rawBody, headers, secrets) {
      const token = headerValue(headers, 'x-gitlab-token');
      if (!token) throw new WebhookSignatureError('missing X-Gitlab-Token header', 'signature_missing');
      return secrets.filter((secret) => constantTimeEqual(token, secret));
    },
    repositoryIdentifiers(payload) {
      const { project, repository } = parsePayload(GitlabRepositoryReference, payload, 'payload');
      return {
        urls: distinctNonEmpty([
          project?.git_http_url, project?.git_ssh_url, project?.web_url, project?.http_url, project?.ssh_url,
          repository?.git_http_url, repository?.git_ssh_url, repository?.homepage,
        ]),
        fullNames: distinctNonEmpty([project?.path_with_namespace]),
      };
    },
    normalisePushes: (payload, context) => [normaliseGitlabPush(payload, context)],
  };
}

function normaliseGitlabPush(payload: unknown, context: { deliveryId: string; repoUrls: string[] }): NormalisedPush {
  const push = parsePayload(GitlabPushPayload, payload, 'push payload');
  const { ref, after } = push;
  const deleted = isZeroSha(after);
  const commits = push.commits ?? [];
  const totalCommits = push.total_commits_count ?? commits.length;
  // GitLab lists at most 20 commits; past that, or with none listed (a tag, a new branch), paths are unknown.
  const pathsKnown = !deleted && commits.length > 0 && totalCommits <= commits.length;
  // `checkout_sha` is the commit; for an annotated tag `after` is the tag object.
  const checkoutSha = nonEmpty(push.checkout_sha);
  const revision = checkoutSha && !isZeroSha(checkoutSha) ? checkoutSha : after;
  const revisionCommit = commits.find((commit) => commit.id === revision);
  const headCommit = revisionCommit ? gitlabCommit(revisionCommit) : undefined;
  const { branch, tag } = refParts(ref);
  const defaultBranch = nonEmpty(push.project?.default_branch);
  const actor = nonEmpty(push.user_username) ?? nonEmpty(push.user_name);
  return {
    provider: 'gitlab',
    deliveryId: context.deliveryId,
    repoUrls: context.repoUrls,
    ref,
    ...(branch !== undefined ? { branch } : {}),
    ...(tag !== undefined ? { tag } : {}),
    before: push.before ?? '',
    after,
    revision,
    deleted,
    changedPaths: pathsKnown ? pathsOfCommits(commits) : undefined,
    ...(defaultBranch !== undefined ? { defaultBranch } : {}),
    ...(actor !== undefined ? { actor } : {}),
    ...(headCommit ? { headCommit } : {}),
  };
}

function gitlabCommit(commit: GitlabCommit): HeadCommit {
  const timestamp = nonEmpty(commit.timestamp);
  const author = nonEmpty(commit.author?.name);
  return {
    id: commit.id,
    message: commit.message ?? '',
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(author !== undefined ? { author } : {}),
  };
}
