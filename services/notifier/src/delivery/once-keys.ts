import type { Redis } from 'ioredis';

export const sentMarker = 'sent';

export type OnceClaim =
  | { claimed: true }
  /** Already sent, or queued under `deliveryId` by an earlier handling of the same deploy. */
  | { claimed: false; sent: boolean; deliveryId?: string };

const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface OnceKeys {
  /** SET NX: the first handling of (trigger, app, revision, channel) wins. */
  claim(key: string, deliveryId: string): Promise<OnceClaim>;
  markSent(key: string): Promise<void>;
  /** Frees the key after a delivery failed for good, so a later redelivery of the event can send; only if this delivery holds it. */
  release(key: string, deliveryId: string): Promise<void>;
}

/** The exactly-once guard of notifications, kept `ttlSeconds` (default 30 days) after the deploy. */
export function createOnceKeys(redis: Redis, ttlSeconds = 30 * 24 * 3_600): OnceKeys {
  return {
    async claim(key, deliveryId) {
      const result = await redis.set(key, deliveryId, 'EX', ttlSeconds, 'NX');
      if (result === 'OK') return { claimed: true };
      const value = await redis.get(key);
      if (value === null) return this.claim(key, deliveryId);
      return value === sentMarker ? { claimed: false, sent: true } : { claimed: false, sent: false, deliveryId: value };
    },
    async markSent(key) {
      await redis.set(key, sentMarker, 'EX', ttlSeconds);
    },
    async release(key, deliveryId) {
      await redis.eval(releaseScript, 1, key, deliveryId);
    },
  };
}
