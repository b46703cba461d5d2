import type { Redis } from 'ioredis';
import { notifierKeys } from './notifier-keys.ts';

// A rolling window: drop entries older than the window, take a slot if one is free, else say when the
// oldest entry leaves the window. Atomic in Redis, so every notifier replica shares the channel's limit.
const reserveScript = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

export interface RateLimiter {
  /** Takes a send slot for the channel: 0 when granted, else the milliseconds until one frees up. */
  reserve(channel: string, perWindow: number, slotId: string): Promise<number>;
}

/** Per-channel limit of messages per rolling window (`windowMs`, one minute by default). */
export function createRateLimiter(deps: { redis: Redis; now: () => number; windowMs?: number }): RateLimiter {
  const windowMs = deps.windowMs ?? 60_000;
  return {
    async reserve(channel, perWindow, slotId) {
      const wait = await deps.redis.eval(reserveScript, 1, notifierKeys.rate(channel), deps.now(), windowMs, perWindow, slotId);
      return Number(wait);
    },
  };
}
