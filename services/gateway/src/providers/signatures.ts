import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacSha256Hex(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Constant-time string comparison that also hides the lengths: both sides are hashed to equal-length digests first.
 */
export function constantTimeEqual(received: string, expected: string): boolean {
  const receivedDigest = createHash('sha256').update(received).digest();
  const expectedDigest = createHash('sha256').update(expected).digest();
  return timingSafeEqual(receivedDigest, expectedDigest) && received.length === expected.length;
}

/**
 * Secrets whose HMAC-SHA256 of the raw body equals the received hex digest: one HMAC per secret, none at all
 * when the received value cannot be a SHA-256 hex digest.
 */
export function secretsMatchingHexHmac(rawBody: Buffer, receivedHex: string, secrets: readonly string[]): string[] {
  const received = receivedHex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(received)) return [];
  return secrets.filter((secret) => constantTimeEqual(received, hmacSha256Hex(secret, rawBody)));
}
