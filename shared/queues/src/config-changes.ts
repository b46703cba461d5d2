import type { Redis } from 'ioredis';
import { createRedisConnection } from './connection.ts';
import { redisKeys } from './keys.ts';

/** What the gateway announces when a push lands on the `git::` configuration repository. */
export interface ConfigChange {
  repoURL: string;
  revision: string;
}

/** Announces a configuration change to every service (Redis pub/sub; a service that is down reloads at start). */
export async function publishConfigChange(redis: Redis, change: ConfigChange): Promise<void> {
  await redis.publish(redisKeys.configChangedChannel, JSON.stringify(change));
}

/**
 * Calls `onChange` for every configuration change announced on Redis, on a connection of its own (a subscribed
 * connection can do nothing else). Malformed messages are ignored. `close` unsubscribes and disconnects.
 */
export function subscribeConfigChanges(redisUrl: string, onChange: (change: ConfigChange) => void): { close(): Promise<void> } {
  const connection = createRedisConnection(redisUrl, 'worker');
  connection.on('error', () => undefined); // reconnects on its own; a reload on SIGHUP or poll covers the gap
  connection.on('message', (channel: string, message: string) => {
    if (channel !== redisKeys.configChangedChannel) return;
    try {
      const change = JSON.parse(message) as Partial<ConfigChange>;
      if (typeof change.repoURL === 'string' && typeof change.revision === 'string') onChange({ repoURL: change.repoURL, revision: change.revision });
    } catch {
      // not ours
    }
  });
  void connection.subscribe(redisKeys.configChangedChannel).catch(() => undefined);
  return {
    async close() {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
