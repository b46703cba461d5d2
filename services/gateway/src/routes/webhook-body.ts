import { PayloadError, UnsupportedMediaTypeError } from '../errors/http-errors.ts';
import { bodyText } from '../providers/body-text.ts';

export type WebhookBodyFormat = 'json' | 'form';

/** Which of the accepted encodings a request uses; 415 for anything else (including a missing body). */
export function webhookBodyFormat(contentType: string | undefined, body: unknown, acceptsForm: boolean): WebhookBodyFormat {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!Buffer.isBuffer(body)) throw new UnsupportedMediaTypeError();
  if (mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType)) return 'json';
  if (mediaType === 'application/x-www-form-urlencoded' && acceptsForm) return 'form';
  throw new UnsupportedMediaTypeError();
}

/** Parses a verified body: JSON, or (GitHub) a form whose `payload` field holds the JSON. */
export function parseWebhookBody(rawBody: Buffer, format: WebhookBodyFormat): unknown {
  let json: string;
  if (format === 'form') {
    const payloadField = new URLSearchParams(bodyText(rawBody)).get('payload');
    if (payloadField === null) throw new PayloadError('form body has no "payload" field');
    json = payloadField;
  } else {
    json = bodyText(rawBody);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch (error) {
    throw new PayloadError('body is not valid JSON', { cause: error });
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new PayloadError('body must be a JSON object');
  }
  return payload;
}
