import type { Redis } from 'ioredis';
import { notifierKeys } from './notifier-keys.ts';

export interface ChannelPause {
  reason: string;
  failures: number;
  /** Epoch milliseconds when deliveries resume. */
  until: number;
}

export interface ChannelHealth {
  /** The pause in force, if the channel is marked unhealthy. */
  pauseOf(channel: string): Promise<ChannelPause | undefined>;
  recordSuccess(channel: string): Promise<void>;
  /** Counts a delivery that failed for good; returns the pause when this failure marked the channel unhealthy. */
  recordFailure(channel: string, failure: { reason: string; channelBroken: boolean }): Promise<ChannelPause | undefined>;
}

/**
 * The circuit breaker of channels: `failureThreshold` consecutive failed deliveries (or one that shows the
 * channel is gone: 404/410, a revoked token) pause the channel for `cooldownMs`; deliveries meanwhile are
 * reported and dropped, not retried forever. After the cool-down the next delivery tries again.
 */
export function createChannelHealth(deps: { redis: Redis; now: () => number; failureThreshold?: number; cooldownMs?: number }): ChannelHealth {
  const threshold = deps.failureThreshold ?? 3;
  const cooldownMs = deps.cooldownMs ?? 10 * 60_000;
  return {
    async pauseOf(channel) {
      const value = await deps.redis.get(notifierKeys.unhealthy(channel));
      return value === null ? undefined : (JSON.parse(value) as ChannelPause);
    },
    async recordSuccess(channel) {
      await deps.redis.del(notifierKeys.failures(channel));
    },
    async recordFailure(channel, failure) {
      const failuresKey = notifierKeys.failures(channel);
      const [[, failures]] = (await deps.redis.multi().incr(failuresKey).expire(failuresKey, 24 * 3_600).exec()) as [[Error | null, number]];
      if (!failure.channelBroken && failures < threshold) return undefined;
      const pause: ChannelPause = { reason: failure.reason, failures, until: deps.now() + cooldownMs };
      const marked = await deps.redis.set(notifierKeys.unhealthy(channel), JSON.stringify(pause), 'PX', cooldownMs, 'NX');
      return marked === 'OK' ? pause : undefined;
    },
  };
}
