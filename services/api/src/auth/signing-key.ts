import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { apiKeys } from './api-keys.ts';

/**
 * The HMAC key that signs session and project role tokens: the given one (a secret reference resolved by main.ts),
 * else one generated at first start and kept in Redis so every API replica shares it.
 */
export async function loadSigningKey(redis: Redis, configured?: string): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  await redis.set(apiKeys.signingKey, randomBytes(32).toString('base64'), 'NX');
  const stored = await redis.get(apiKeys.signingKey);
  if (!stored) throw new Error('the API signing key could not be stored in Redis');
  return Buffer.from(stored, 'base64');
}
