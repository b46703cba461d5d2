import type { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';

export interface DeliveryDedupe {
  /** Records the delivery; false when it was already recorded (a redelivery or a concurrent duplicate). */
  claim(provider: string, deliveryId: string): Promise<boolean>;
  /** Forgets the delivery, so the provider's retry of a delivery we failed to queue is processed. */
  release(provider: string, deliveryId: string): Promise<void>;
}

export function createDeliveryDedupe(deps: { redis: Redis; ttlSeconds: number }): DeliveryDedupe {
  return {
    async claim(provider, deliveryId) {
      const result = await deps.redis.set(redisKeys.delivery(provider, deliveryId), '1', 'EX', deps.ttlSeconds, 'NX');
      return result === 'OK';
    },
    async release(provider, deliveryId) {
      await deps.redis.del(redisKeys.delivery(provider, deliveryId));
    },
  };
}
