import { PayloadError, WebhookSignatureError } from '../errors/http-errors.ts';
import {
  BitbucketPushPayload, BitbucketRepositoryReference, type BitbucketChange, type BitbucketCommit,
} from '../payloads/bitbucket-payloads.ts';
import { parsePayload } from '../payloads/parse-payload.ts';
import { zeroSha, type HeadCommit, type NormalisedPush } from '../push/normalised-push.ts';
import { distinctNonEmpty, nonEmpty } from './payload-fields.ts';
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
      if (!signature) throw new WebhookSignatureError('missing X-Hub-Signature header', 'signature_missing');
      if (!signature.startsWith('sha256=')) throw new WebhookSignatureError('X-Hub-Signature is not sha256=<hex>');
      return secretsMatchingHexHmac(rawBody, signature.slice('sha256='.length), secrets);
    },
    repositoryIdentifiers(payload) {
      const { repository } = parsePayload(BitbucketRepositoryReference, payload, 'payload');
      return {
        urls: distinctNonEmpty([repository?.links?.html?.href]),
        fullNames: distinctNonEmpty([repository?.full_name]),
      };
    },
    normalisePushes(payload, context) {
      const push = parsePayload(BitbucketPushPayload, payload, 'push payload');
      const actor = nonEmpty(push.actor?.display_name) ?? nonEmpty(push.actor?.nickname) ?? nonEmpty(push.actor?.username);
      return push.push.changes.flatMap((change, index) => {
        // The new tip is what gets rendered: a change that names a new state must say which commit it is.
        if (change.new && !change.new.target) throw new PayloadError(`push payload field "push.changes[${index}].new.target" is required (object)`);
        const normalised = normaliseBitbucketChange(change, context);
        return normalised ? [{ ...normalised, ...(actor ? { actor } : {}) }] : [];
      });
    },
  };
}

function normaliseBitbucketChange(change: BitbucketChange, context: { deliveryId: string; repoUrls: string[] }): NormalisedPush | undefined {
  const newState = change.new ?? undefined;
  const oldState = change.old ?? undefined;
  const state = newState ?? oldState;
  const name = nonEmpty(state?.name);
  if (!name) return undefined;
  const isTag = state?.type === 'tag';
  const after = newState?.target?.hash ?? zeroSha;
  const headCommit = newState?.target ? bitbucketCommit(newState.target) : undefined;
  return {
    provider: 'bitbucket',
    deliveryId: context.deliveryId,
    repoUrls: context.repoUrls,
    ref: isTag ? `refs/tags/${name}` : `refs/heads/${name}`,
    ...(isTag ? { tag: name } : { branch: name }),
    before: oldState?.target?.hash ?? zeroSha,
    after,
    revision: after,
    deleted: newState === undefined,
    changedPaths: undefined,
    ...(headCommit ? { headCommit } : {}),
  };
}

function bitbucketCommit(target: BitbucketCommit): HeadCommit {
  const id = target.hash;
  const timestamp = nonEmpty(target.date);
  const author = nonEmpty(target.author?.user?.display_name) ?? nonEmpty(target.author?.raw);
  return {
    id,
    message: target.message ?? '',
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(author !== undefined ? { author } : {}),
  };
}
