import { PayloadError, WebhookSignatureError } from '../errors/http-errors.ts';
import { isZeroSha, refParts, type HeadCommit, type NormalisedPush } from '../push/normalised-push.ts';
import { arrayField, numberField, pathsOfCommits, stringField, stringFields } from './payload-fields.ts';
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
      if (!token) throw new WebhookSignatureError('missing X-Gitlab-Token header');
      return secrets.filter((secret) => constantTimeEqual(token, secret));
    },
    repositoryIdentifiers(payload) {
      return {
        urls: stringFields(payload, [
          'project.git_http_url', 'project.git_ssh_url', 'project.web_url', 'project.http_url', 'project.ssh_url',
          'repository.git_http_url', 'repository.git_ssh_url', 'repository.homepage',
        ]),
        fullNames: stringFields(payload, ['project.path_with_namespace']),
      };
    },
    normalisePushes: (payload, context) => [normaliseGitlabPush(payload, context)],
  };
}

function normaliseGitlabPush(payload: unknown, context: { deliveryId: string; repoUrls: string[] }): NormalisedPush {
  const ref = stringField(payload, 'ref');
  const after = stringField(payload, 'after');
  if (!ref) throw new PayloadError('push payload has no "ref"');
  if (!after) throw new PayloadError('push payload has no "after"');
  const deleted = isZeroSha(after);
  const commits = arrayField(payload, 'commits') ?? [];
  const totalCommits = numberField(payload, 'total_commits_count') ?? commits.length;
  // GitLab lists at most 20 commits; past that, or with none listed (a tag, a new branch), paths are unknown.
  const pathsKnown = !deleted && commits.length > 0 && totalCommits <= commits.length;
  // `checkout_sha` is the commit; for an annotated tag `after` is the tag object.
  const checkoutSha = stringField(payload, 'checkout_sha');
  const revision = checkoutSha && !isZeroSha(checkoutSha) ? checkoutSha : after;
  const headCommit = gitlabCommit(commits.find((commit) => stringField(commit, 'id') === revision));
  const { branch, tag } = refParts(ref);
  return {
    provider: 'gitlab',
    deliveryId: context.deliveryId,
    repoUrls: context.repoUrls,
    ref,
    ...(branch !== undefined ? { branch } : {}),
    ...(tag !== undefined ? { tag } : {}),
    before: stringField(payload, 'before') ?? '',
    after,
    revision,
    deleted,
    changedPaths: pathsKnown ? pathsOfCommits(commits) : undefined,
    defaultBranch: stringField(payload, 'project.default_branch'),
    actor: stringField(payload, 'user_username') ?? stringField(payload, 'user_name'),
    ...(headCommit ? { headCommit } : {}),
  };
}

function gitlabCommit(commit: unknown): HeadCommit | undefined {
  const id = stringField(commit, 'id');
  if (!id) return undefined;
  return {
    id,
    message: stringField(commit, 'message') ?? '',
    timestamp: stringField(commit, 'timestamp'),
    author: stringField(commit, 'author.name'),
  };
}
