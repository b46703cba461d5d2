import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createProducers, createRedisConnection } from '@tidewater/queues';
import { createLogger, recordEventMetrics, type Logger } from '@tidewater/telemetry';
import { createGatewayApp, type GatewayDeps, type WebhookRateLimit } from './app.ts';
import { registryWebhookSecretsFromEnv } from './registry/registry-secrets.ts';

export interface StartGatewayOptions {
  config: () => TidewaterConfig;
  /** Redis to use; when absent a producer connection to `redisUrl` is opened (and closed by `close()`). */
  redis?: Redis;
  redisUrl?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  maxBodyBytes?: number;
  dedupeTtlSeconds?: number;
  globalWebhookSecret?: string;
  /** `TIDEWATER_CONFIG`: a push to a `git::` source's repository makes every service reload its configuration. */
  configSource?: string;
  /** Per-source limit of the webhook routes (default 600 per minute; `max: 0` turns it off). */
  rateLimit?: WebhookRateLimit;
  trustProxy?: GatewayDeps['trustProxy'];
  /** The registry webhook secret(s); default from `TIDEWATER_SECRET_REGISTRY_WEBHOOK`. */
  registryWebhookSecrets?: readonly string[];
}

export interface RunningGateway {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  app: FastifyInstance;
  /** Stops accepting requests, lets in-flight ones finish, then closes the queues and the owned Redis connection. */
  close(): Promise<void>;
}

/** Builds the gateway with its own producers and event publisher and listens; used by `main.ts` and `tide all`. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const ownsRedis = options.redis === undefined;
  if (ownsRedis && !options.redisUrl) throw new Error('startGateway needs redis or redisUrl');
  // Auto-pipelining: commands issued in one tick, by this request and concurrent ones, go out in one write.
  const redis = options.redis ?? createRedisConnection(options.redisUrl as string, 'producer', { enableAutoPipelining: true });
  const logger = options.logger ?? createLogger('gateway');
  if (ownsRedis) redis.on('error', (error) => logger.warn({ reason: error.message }, 'redis connection error'));
  await waitUntilReady(redis);

  const producers = createProducers({ connection: redis });
  const events = createEventPublisher({ redis, source: '/tidewater/gateway', onPublished: recordEventMetrics });
  const app = createGatewayApp({
    config: options.config, redis, producers, events, logger,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.dedupeTtlSeconds !== undefined ? { dedupeTtlSeconds: options.dedupeTtlSeconds } : {}),
    ...(options.globalWebhookSecret ? { globalWebhookSecret: options.globalWebhookSecret } : {}),
    ...(options.configSource ? { configSource: options.configSource } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    registryWebhookSecrets: options.registryWebhookSecrets ?? registryWebhookSecretsFromEnv(process.env),
  });
  try {
    await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await producers.close();
    if (ownsRedis) redis.disconnect();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    app,
    close() {
      closing ??= (async () => {
        await app.close();
        await producers.close();
        if (ownsRedis) await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}

/** Producer connections refuse commands until connected (no offline queue): wait for the first `ready`. */
async function waitUntilReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('redis did not become ready within 30 s'));
    }, 30_000);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
