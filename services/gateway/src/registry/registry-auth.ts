import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { verify } from '@octokit/webhooks-methods';
import { WebhookSignatureError } from '../errors/http-errors.ts';
import { bodyText } from '../providers/body-text.ts';
import { headerValue } from '../providers/provider-adapter.ts';
import { constantTimeEqual, secretsMatchingHexHmac } from '../providers/signatures.ts';
import type { RegistryReceiver, RegistryReceiverName } from './registry-push.ts';

/**
 * The token one receiver accepts (bearer header or URL path): HMAC-SHA256 of the receiver's name under the
 * registry webhook secret, so each receiver's token is distinct, unguessable, and none reveals the secret.
 * `node -e "console.log(require('crypto').createHmac('sha256', process.env.S).update('tidewater-registry:quay').digest('hex'))"`
 */
export function registryReceiverToken(secret: string, receiver: RegistryReceiverName): string {
  return createHmac('sha256', secret).update(`tidewater-registry:${receiver}`).digest('hex');
}

/** Throws `WebhookSignatureError` (401) unless the request carries the receiver's proof; costs one HMAC at most per secret. */
export async function verifyRegistryRequest(deps: {
  receiver: RegistryReceiver;
  secrets: readonly string[];
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
  pathToken: string | undefined;
}): Promise<void> {
  const { receiver, secrets, rawBody, headers } = deps;
  if (secrets.length === 0) throw new WebhookSignatureError(`no registry webhook secret is configured for ${receiver.name}`, 'no_secret_configured');
  switch (receiver.authentication) {
    case 'bearer-header': {
      const authorization = headerValue(headers, 'authorization');
      if (!authorization) throw new WebhookSignatureError('missing Authorization header', 'signature_missing');
      const match = /^Bearer ([0-9a-fA-F]{64})$/.exec(authorization.trim());
      if (!match) throw new WebhookSignatureError('Authorization is not Bearer <64 hex digits>');
      if (!secrets.some((secret) => constantTimeEqual(match[1].toLowerCase(), registryReceiverToken(secret, receiver.name)))) {
        throw new WebhookSignatureError('Authorization token does not match the receiver token');
      }
      return;
    }
    case 'url-token': {
      if (!deps.pathToken) throw new WebhookSignatureError('the receiver URL has no token', 'signature_missing');
      if (!/^[0-9a-f]{64}$/.test(deps.pathToken) || !secrets.some((secret) => constantTimeEqual(deps.pathToken as string, registryReceiverToken(secret, receiver.name)))) {
        throw new WebhookSignatureError('the receiver URL token does not match');
      }
      return;
    }
    case 'hmac-signature': {
      const signature = headerValue(headers, 'x-signature');
      if (!signature) throw new WebhookSignatureError('missing X-Signature header', 'signature_missing');
      const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
      if (!match || secretsMatchingHexHmac(rawBody, match[1], secrets).length === 0) throw new WebhookSignatureError('X-Signature does not match');
      return;
    }
    case 'github-signature': {
      const signature = headerValue(headers, 'x-hub-signature-256');
      if (!signature) throw new WebhookSignatureError('missing X-Hub-Signature-256 header', 'signature_missing');
      if (!/^sha256=[0-9a-fA-F]{64}$/.test(signature)) throw new WebhookSignatureError('X-Hub-Signature-256 is not sha256=<64 hex digits>');
      for (const secret of secrets) {
        if (await verify(secret, bodyText(rawBody), signature)) return;
      }
      throw new WebhookSignatureError('signature does not match the registry webhook secret');
    }
  }
}
