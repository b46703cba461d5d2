import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Redis } from 'ioredis';
import { apiKeys } from './api-keys.ts';

/** Local account passwords, argon2id-hashed in Redis (`@node-rs/argon2`: prebuilt for Node 24, no compiler needed). */
export interface PasswordStore {
  set(account: string, password: string): Promise<void>;
  /** True only when the account has a password and it matches; the time spent does not reveal which failed. */
  verify(account: string, password: string): Promise<boolean>;
  /** Sets the admin password once, if none is stored: the given one, else a generated one. Returns what it set. */
  initialiseAdmin(password?: string): Promise<{ created: boolean; password?: string }>;
}

// A hash of a random password: verifying against it costs what a real check costs, for unknown accounts.
const decoy = hash(randomBytes(16).toString('hex'));

export function createPasswordStore(redis: Redis): PasswordStore {
  return {
    async set(account, password) {
      await redis.set(apiKeys.password(account), await hash(password));
    },
    async verify(account, password) {
      const stored = await redis.get(apiKeys.password(account));
      if (!stored) {
        await verify(await decoy, password).catch(() => false);
        return false;
      }
      return verify(stored, password).catch(() => false);
    },
    async initialiseAdmin(password) {
      const chosen = password ?? randomBytes(12).toString('base64url');
      const created = await redis.set(apiKeys.password('admin'), await hash(chosen), 'NX');
      return created === 'OK' ? { created: true, ...(password ? {} : { password: chosen }) } : { created: false };
    },
  };
}
