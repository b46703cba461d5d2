import { PayloadError, WebhookSignatureError } from '../errors/http-errors.ts';
import { zeroSha, type HeadCommit, type NormalisedPush } from '../push/normalised-push.ts';
import { arrayField, fieldOf, stringField, stringFields } from './payload-fields.ts';
import { headerValue, type GitProviderAdapter } from './provider-adapter.ts';
import { secretsMatchingHexHmac } from './signatures.ts';

/**
 * Bitbucket Cloud: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. A push payload carries one entry
 * per updated ref in `push.changes[]` and never lists files, so every app of the ref is affected.
 */
export function createBitbucketAdapter(): GitProviderAdapter {
  return {
    provider: 'bitbucket',
    acceptsFormBody: false,
    deliveryId: (headers) => headerValue(headers, 'x-request-uuid'),
    eventName: (headers) => headerValue(headers, 'x-event-key'),
    eventKind(eventName) {
      if (eventName === 'repo:push') return 'push';
      if (eventName === 'diagnostics:ping') return 'ping';
      return 'ignored';
    },
    async verifiedSecrets(rawBody, headers, secrets) {
      const signature = headerValue(headers, 'x-hub-signature');
      if (!signature) throw new WebhookSignatureError('missing X-Hub-Signature header');
      if (!signature.startsWith('sha256=')) throw new WebhookSignatureError('X-Hub-Signature is not sha256=<hex>');
      return secretsMatchingHexHmac(rawBody, signature.slice('sha256='.length), secrets);
    },
    repositoryIdentifiers(payload) {
      return {
        urls: stringFields(payload, ['repository.links.html.href']),
        fullNames: stringFields(payload, ['repository.full_name']),
      };
    },
    normalisePushes(payload, context) {
      const changes = arrayField(payload, 'push.changes');
      if (!changes) throw new PayloadError('push payload has no "push.changes"');
      const actor = stringField(payload, 'actor.display_name') ?? stringField(payload, 'actor.nickname')
        ?? stringField(payload, 'actor.username');
      return changes.flatMap((change) => {
        const push = normaliseBitbucketChange(change, context);
        return push ? [{ ...push, ...(actor ? { actor } : {}) }] : [];
      });
    },
  };
}

function normaliseBitbucketChange(change: unknown, context: { deliveryId: string; repoUrls: string[] }): NormalisedPush | undefined {
  const newState = fieldOf(change, 'new') ?? undefined;
  const oldState = fieldOf(change, 'old') ?? undefined;
  const state = newState ?? oldState;
  const name = stringField(state, 'name');
  if (!name) return undefined;
  const isTag = stringField(state, 'type') === 'tag';
  const after = stringField(newState, 'target.hash') ?? zeroSha;
  const headCommit = bitbucketCommit(fieldOf(newState, 'target'));
  return {
    provider: 'bitbucket',
    deliveryId: context.deliveryId,
    repoUrls: context.repoUrls,
    ref: isTag ? `refs/tags/${name}` : `refs/heads/${name}`,
    ...(isTag ? { tag: name } : { branch: name }),
    before: stringField(oldState, 'target.hash') ?? zeroSha,
    after,
    revision: after,
    deleted: newState === undefined,
    changedPaths: undefined,
    ...(headCommit ? { headCommit } : {}),
  };
}

function bitbucketCommit(target: unknown): HeadCommit | undefined {
  const id = stringField(target, 'hash');
  if (!id) return undefined;
  return {
    id,
    message: stringField(target, 'message') ?? '',
    timestamp: stringField(target, 'date'),
    author: stringField(target, 'author.user.display_name') ?? stringField(target, 'author.raw'),
  };
}
