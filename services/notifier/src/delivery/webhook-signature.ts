import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'X-Tidewater-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs its webhooks. */
export function signWebhookBody(secret: string, body: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

/**
 * A receiver's check of `X-Tidewater-Signature`: any `v1` matching one of the secrets (rotation), and a
 * timestamp within `toleranceSeconds` of now against replays.
 */
export function verifyWebhookSignature(input: {
  header: string | undefined;
  body: string;
  secrets: readonly string[];
  nowSeconds?: number;
  toleranceSeconds?: number;
}): boolean {
  if (!input.header) return false;
  const parts = input.header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp)) return false;
  const nowSeconds = input.nowSeconds ?? Math.floor(Date.now() / 1_000);
  if (Math.abs(nowSeconds - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const signatures = parts.filter(([key]) => key === 'v1').map(([, value]) => Buffer.from(value ?? '', 'hex'));
  return input.secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${input.body}`).digest();
    return signatures.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
  });
}
