import { resolveSecret, SecretRefError } from '@tidewater/config';
import type { WebhookChannelSpec } from '../channels/notification-channel.ts';
import type { SendContext } from './send-slack.ts';
import { outcomeOfFetchError, outcomeOfStatus, parseRetryAfter, readBodyStart, type SendOutcome } from './send-outcome.ts';
import { signatureHeader, signWebhookBody } from './webhook-signature.ts';

/**
 * POSTs a JSON body to a generic webhook, signed when the channel has a `secretRef`
 * (`X-Tidewater-Signature: t=<unix seconds>,v1=<hex>`; the timestamp is fresh on every attempt).
 */
export async function sendWebhook(
  input: { spec: WebhookChannelSpec; body: string; deliveryId: string; trigger: string },
  context: SendContext,
): Promise<SendOutcome> {
  const { spec } = input;
  let url: string;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'tidewater-notifier',
    'x-tidewater-delivery': input.deliveryId,
    'x-tidewater-trigger': input.trigger,
  };
  try {
    url = spec.url ?? resolveSecret(spec.urlRef!, context.env);
    for (const header of spec.headers ?? []) {
      headers[header.name.toLowerCase()] = header.value ?? resolveSecret(header.valueRef!, context.env);
    }
    if (spec.secretRef) {
      const timestamp = Math.floor(context.now() / 1_000);
      headers[signatureHeader.toLowerCase()] = signWebhookBody(resolveSecret(spec.secretRef, context.env), input.body, timestamp);
    }
  } catch (error) {
    const reason = error instanceof SecretRefError ? error.message : 'secret reference cannot be resolved';
    return { kind: 'permanent', reason, channelBroken: false };
  }
  if (!URL.canParse(url)) return { kind: 'permanent', reason: 'urlRef does not hold a URL', channelBroken: true };

  let response: Response;
  try {
    response = await context.fetch(url, {
      method: 'POST', headers, body: input.body, redirect: 'manual', signal: AbortSignal.timeout(context.timeoutMs),
    });
  } catch (error) {
    return outcomeOfFetchError(error, context.timeoutMs);
  }
  await readBodyStart(response, 1_024);
  if (response.ok) return { kind: 'sent', status: response.status };
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), context.now());
  return outcomeOfStatus(response.status, retryAfterMs !== undefined ? { retryAfterMs } : {});
}
