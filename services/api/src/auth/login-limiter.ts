import type { Redis } from 'ioredis';
import { tooManyRequests } from '../errors/api-errors.ts';
import { apiKeys } from './api-keys.ts';

export interface LoginLimiter {
  /** Throws 429 while the account or the address has failed too often in the window (checked before the password). */
  check(account: string, address: string): Promise<void>;
  recordFailure(account: string, address: string): Promise<void>;
  recordSuccess(account: string): Promise<void>;
}

/**
 * Failed logins counted per account and per client address in Redis (shared by replicas); past the limit the
 * login is refused with 429 and Retry-After until the window ends, whatever the password.
 */
export function createLoginLimiter(redis: Redis, options: { maxPerAccount?: number; maxPerAddress?: number; windowSeconds?: number } = {}): LoginLimiter {
  const maxPerAccount = options.maxPerAccount ?? 5;
  const maxPerAddress = options.maxPerAddress ?? 20;
  const windowSeconds = options.windowSeconds ?? 300;
  return {
    async check(account, address) {
      const [byAccount, byAddress] = await redis.mget(apiKeys.loginFailures('account', account), apiKeys.loginFailures('address', address));
      if (Number(byAccount) >= maxPerAccount || Number(byAddress) >= maxPerAddress) {
        const ttl = await redis.ttl(apiKeys.loginFailures(Number(byAccount) >= maxPerAccount ? 'account' : 'address', Number(byAccount) >= maxPerAccount ? account : address));
        throw tooManyRequests('too many failed logins; try again later', ttl > 0 ? ttl : windowSeconds);
      }
    },
    async recordFailure(account, address) {
      const multi = redis.multi();
      for (const key of [apiKeys.loginFailures('account', account), apiKeys.loginFailures('address', address)]) {
        multi.incr(key).expire(key, windowSeconds, 'NX');
      }
      await multi.exec();
    },
    async recordSuccess(account) {
      await redis.del(apiKeys.loginFailures('account', account));
    },
  };
}
