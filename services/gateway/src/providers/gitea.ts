import { WebhookSignatureError } from '../errors/http-errors.ts';
import { githubStyleEventKind, githubStyleRepositoryIdentifiers, normaliseGithubStylePush } from './github.ts';
import { headerValue, type GitProviderAdapter } from './provider-adapter.ts';
import { secretsMatchingHexHmac } from './signatures.ts';

/**
 * Gitea and Forgejo: `X-Gitea-Signature` (or `X-Forgejo-Signature`) is the bare hex HMAC-SHA256 of the raw body;
 * the GitHub-style `X-Hub-Signature-256: sha256=<hex>` copy is accepted too. Payloads follow GitHub's shape.
 */
export function createGiteaAdapter(): GitProviderAdapter {
  return {
    provider: 'gitea',
    acceptsFormBody: false,
    deliveryId: (headers) => headerValue(headers, 'x-gitea-delivery') ?? headerValue(headers, 'x-forgejo-delivery')
      ?? headerValue(headers, 'x-github-delivery'),
    eventName: (headers) => headerValue(headers, 'x-gitea-event') ?? headerValue(headers, 'x-forgejo-event')
      ?? headerValue(headers, 'x-github-event'),
    eventKind: githubStyleEventKind,
    async verifiedSecrets(rawBody, headers, secrets) {
      const bareHex = headerValue(headers, 'x-gitea-signature') ?? headerValue(headers, 'x-forgejo-signature');
      const hubSignature = headerValue(headers, 'x-hub-signature-256');
      const received = bareHex ?? (hubSignature?.startsWith('sha256=') ? hubSignature.slice('sha256='.length) : undefined);
      if (!received) throw new WebhookSignatureError('missing X-Gitea-Signature header', 'signature_missing');
      return secretsMatchingHexHmac(rawBody, received, secrets);
    },
    repositoryIdentifiers: githubStyleRepositoryIdentifiers,
    normalisePushes: (payload, context) => [normaliseGithubStylePush('gitea', payload, context)],
  };
}
