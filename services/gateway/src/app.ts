import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import type { Producers } from '@tidewater/queues';
import { getMetrics, type Logger } from '@tidewater/telemetry';
import { createDeliveryDedupe } from './dedupe/delivery-dedupe.ts';
import { registerErrorHandling } from './errors/error-handler.ts';
import { GatewayLogController } from './logging/gateway-log-controller.ts';
import { createGitProviderAdapters } from './providers/adapters.ts';
import { registerGitWebhookRoutes } from './routes/git-webhook-routes.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';

export interface GatewayDeps {
  /** The current configuration; read on every request, so a reload takes effect at once. */
  config: () => TidewaterConfig;
  /** A producer connection (`createRedisConnection(url, 'producer')`). */
  redis: Redis;
  producers: Producers;
  events: EventPublisher;
  logger: Logger;
  /** Largest accepted body; larger requests get 413. Default 5 MiB. */
  maxBodyBytes?: number;
  /** How long a delivery id is remembered for dedupe. Default 24 h. */
  dedupeTtlSeconds?: number;
  /** A secret accepted for every repository (`TIDEWATER_WEBHOOK_SECRET`), besides each Repository's own. */
  globalWebhookSecret?: string;
  /** `TIDEWATER_CONFIG`: a push to a `git::` source's repository makes every service reload its configuration. */
  configSource?: string;
  /** Serve the process's Prometheus metrics at `GET /metrics` (default true). */
  metrics?: boolean;
}

export const defaultMaxBodyBytes = 5 * 1024 * 1024;
export const defaultDedupeTtlSeconds = 24 * 3_600;

/** The gateway's HTTP app. It never listens: `main.ts` / `startGateway` do, tests use `app.inject()`. */
export function createGatewayApp(deps: GatewayDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.maxBodyBytes ?? defaultMaxBodyBytes,
    logController: new GatewayLogController(),
    return503OnClosing: true,
  });

  // Signatures are computed over the exact bytes: keep the raw body, parse JSON only after verification.
  app.removeAllContentTypeParsers();
  const keepRawBody = (_request: unknown, body: string | Buffer, done: (error: null, body: Buffer) => void) => done(null, body as Buffer);
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer' }, keepRawBody);
  app.addContentTypeParser(/^application\/[\w.-]+\+json(?:;|$)/, { parseAs: 'buffer' }, keepRawBody);

  const adapters = createGitProviderAdapters();
  registerErrorHandling(app, { events: deps.events, adapters });
  registerHealthRoutes(app, { redis: deps.redis });
  if (deps.metrics ?? true) {
    app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
      const { registry } = getMetrics();
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }
  registerGitWebhookRoutes(app, {
    config: deps.config,
    redis: deps.redis,
    producers: deps.producers,
    events: deps.events,
    dedupe: createDeliveryDedupe({ redis: deps.redis, ttlSeconds: deps.dedupeTtlSeconds ?? defaultDedupeTtlSeconds }),
    adapters,
    ...(deps.globalWebhookSecret ? { globalWebhookSecret: deps.globalWebhookSecret } : {}),
    ...(deps.configSource ? { configSource: deps.configSource } : {}),
  });
  return app;
}
