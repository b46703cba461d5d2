import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections as BullMQ's production guide asks: workers wait forever for Redis
 * (`maxRetriesPerRequest: null`); producers fail fast instead of queueing commands offline.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer', extra: RedisOptions = {}): Redis {
  const options: RedisOptions = role === 'worker'
    ? { maxRetriesPerRequest: null, ...extra }
    : { maxRetriesPerRequest: 3, enableOfflineQueue: false, ...extra };
  const connection = new Redis(url, options);
  return connection;
}
