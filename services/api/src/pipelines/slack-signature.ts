import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's request window: a request whose timestamp is further than this from now is refused (replay). */
export const slackTimestampWindowSeconds = 300;

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's signing secret (Slack's scheme). */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Why a Slack request is refused, or undefined when its signature and timestamp are good. */
export function slackRequestProblem(input: { signingSecret: string; timestamp: string | undefined; signature: string | undefined; rawBody: string; nowSeconds?: number }): string | undefined {
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp)) return 'missing or malformed X-Slack-Request-Timestamp';
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(input.timestamp)) > slackTimestampWindowSeconds) return 'X-Slack-Request-Timestamp is outside the 5-minute window';
  if (!input.signature || !input.signature.startsWith('v0=')) return 'missing or malformed X-Slack-Signature';
  const expected = Buffer.from(slackSignature(input.signingSecret, input.timestamp, input.rawBody));
  const given = Buffer.from(input.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'X-Slack-Signature does not match';
  return undefined;
}
