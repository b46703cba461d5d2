import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { apiKeys } from './api-keys.ts';

/** What the store keeps of an account's API token: never the token, only a SHA-256 of its secret part. */
export const StoredApiToken = z.object({
  id: z.string(),
  account: z.string(),
  secretHash: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string().optional(),
});
export type StoredApiToken = z.infer<typeof StoredApiToken>;

export interface ApiTokenInfo {
  id: string;
  issuedAt: string;
  expiresAt?: string;
}

export interface ApiTokenStore {
  /** Issues a token for the account; the returned token is shown once and not kept. */
  create(account: string, options: { id?: string; expiresInSeconds?: number }): Promise<{ token: string; info: ApiTokenInfo }>;
  list(account: string): Promise<ApiTokenInfo[]>;
  /** Revokes one token; false when the account has no such token. */
  revoke(account: string, id: string): Promise<boolean>;
  /** The account and token id a presented token belongs to, or undefined (unknown, expired, revoked or forged). */
  verify(token: string): Promise<{ account: string; id: string } | undefined>;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const tokenPattern = /^tw_([a-z0-9-]{1,64})\.([A-Za-z0-9_-]{43})$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** API tokens (`tw_<id>.<secret>`): high-entropy secrets, so a SHA-256 at rest is enough (no password hashing). */
export function createApiTokenStore(redis: Redis): ApiTokenStore {
  async function read(id: string): Promise<StoredApiToken | undefined> {
    const raw = await redis.get(apiKeys.token(id));
    if (!raw) return undefined;
    const parsed = StoredApiToken.safeParse(parseJson(raw));
    return parsed.success ? parsed.data : undefined;
  }
  const infoOf = (stored: StoredApiToken): ApiTokenInfo => ({ id: stored.id, issuedAt: stored.issuedAt, ...(stored.expiresAt ? { expiresAt: stored.expiresAt } : {}) });

  return {
    async create(account, options) {
      const id = options.id ?? randomBytes(6).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const now = Date.now();
      const stored: StoredApiToken = {
        id, account, secretHash: sha256(secret).toString('hex'), issuedAt: new Date(now).toISOString(),
        ...(options.expiresInSeconds ? { expiresAt: new Date(now + options.expiresInSeconds * 1000).toISOString() } : {}),
      };
      const set = options.expiresInSeconds
        ? await redis.set(apiKeys.token(id), JSON.stringify(stored), 'EX', options.expiresInSeconds, 'NX')
        : await redis.set(apiKeys.token(id), JSON.stringify(stored), 'NX');
      if (set !== 'OK') throw new Error(`a token with id ${id} exists`);
      await redis.sadd(apiKeys.accountTokens(account), id);
      return { token: `tw_${id}.${secret}`, info: infoOf(stored) };
    },
    async list(account) {
      const ids = await redis.smembers(apiKeys.accountTokens(account));
      const tokens: ApiTokenInfo[] = [];
      for (const id of ids.sort()) {
        const stored = await read(id);
        if (stored?.account === account) tokens.push(infoOf(stored));
        else await redis.srem(apiKeys.accountTokens(account), id); // expired: forget the id too
      }
      return tokens;
    },
    async revoke(account, id) {
      const stored = await read(id);
      if (!stored || stored.account !== account) return false;
      await redis.multi().del(apiKeys.token(id)).srem(apiKeys.accountTokens(account), id).exec();
      return true;
    },
    async verify(token) {
      const match = tokenPattern.exec(token);
      if (!match) return undefined;
      const stored = await read(match[1]);
      if (!stored) return undefined;
      const expected = Buffer.from(stored.secretHash, 'hex');
      const presented = sha256(match[2]);
      if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return undefined;
      if (stored.expiresAt && Date.parse(stored.expiresAt) <= Date.now()) return undefined;
      return { account: stored.account, id: stored.id };
    },
  };
}

/** A token id an operator may choose (`--id`): it becomes part of the token and of a Redis key. */
export const TokenId = z.string().regex(/^[a-z0-9-]{1,64}$/, { error: 'must be 1-64 characters a-z, 0-9 or -' });
