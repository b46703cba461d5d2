import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import rateLimitPlugin from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { createImageProducer, type ImageProducer, type Producers } from '@tidewater/queues';
import { getMetrics, type Logger } from '@tidewater/telemetry';
import { createDeliveryDedupe } from './dedupe/delivery-dedupe.ts';
import { registerErrorHandling } from './errors/error-handler.ts';
import { RateLimitedError } from './errors/http-errors.ts';
import { GatewayLogController } from './logging/gateway-log-controller.ts';
import { createGitProviderAdapters } from './providers/adapters.ts';
import type { GitProviderAdapter } from './providers/provider-adapter.ts';
import type { GitProvider } from './push/normalised-push.ts';
import { createRejectionRecorder } from './rejections/rejection-recorder.ts';
import { registerGitWebhookRoutes } from './routes/git-webhook-routes.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerRegistryWebhookRoutes } from './registry/registry-webhook-routes.ts';

export interface GatewayDeps {
  /** The current configuration; read on every request, so a reload takes effect at once. */
  config: () => TidewaterConfig;
  /** A producer connection (`createRedisConnection(url, 'producer')`). */
  redis: Redis;
  producers: Producers;
  /** Accepted pushes (and resumed apps) are published here; refused requests never are. */
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
  /** Per-source-address limit of the webhook routes; default `defaultWebhookRateLimit`; `max: 0` turns it off. */
  rateLimit?: WebhookRateLimit;
  /**
   * Fastify's `trustProxy`: behind a load balancer, the source address is taken from X-Forwarded-For for these
   * proxies (true: any, or their addresses/CIDRs). Default false: the connection's own address.
   */
  trustProxy?: boolean | string[];
  /** At most one `webhook rejected` line per provider and reason per this interval. Default 10 s. */
  rejectionLogIntervalMs?: number;
  /** The provider adapters (default: `createGitProviderAdapters()`); tests wrap them to count signature checks. */
  adapters?: Record<GitProvider, GitProviderAdapter>;
  /** The registry webhook secret(s) (`TIDEWATER_SECRET_REGISTRY_WEBHOOK`); without one every registry route answers 401. */
  registryWebhookSecrets?: readonly string[];
  /** Producer of image jobs (default: one on `redis`, closed with the app). */
  imageProducer?: ImageProducer;
}

/** Per-source rate limit of the webhook routes (@fastify/rate-limit), one allowance across all of them; `max: 0` turns it off. */
export interface WebhookRateLimit {
  /** Requests per source address per window. */
  max: number;
  timeWindowMs: number;
}

export const defaultMaxBodyBytes = 5 * 1024 * 1024;
export const defaultDedupeTtlSeconds = 24 * 3_600;
/**
 * 600 requests per minute from one source address: a burst of hundreds of pushes from one Git host passes,
 * a flood from one address is answered 429 before its body is read or any HMAC is computed.
 */
export const defaultWebhookRateLimit: WebhookRateLimit = { max: 600, timeWindowMs: 60_000 };

/** The gateway's HTTP app. It never listens: `main.ts` / `startGateway` do, tests use `app.inject()`. */
export function createGatewayApp(deps: GatewayDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.maxBodyBytes ?? defaultMaxBodyBytes,
    logController: new GatewayLogController(),
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
  });

  // Signatures are computed over the exact bytes: keep the raw body, parse JSON only after verification.
  app.removeAllContentTypeParsers();
  const keepRawBody = (_request: unknown, body: string | Buffer, done: (error: null, body: Buffer) => void) => done(null, body as Buffer);
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer' }, keepRawBody);
  app.addContentTypeParser(/^application\/[\w.-]+\+json(?:;|$)/, { parseAs: 'buffer' }, keepRawBody);

  const adapters = deps.adapters ?? createGitProviderAdapters();
  const imageProducer = deps.imageProducer ?? createImageProducer({ connection: deps.redis });
  if (!deps.imageProducer) app.addHook('onClose', async () => imageProducer.close());
  registerErrorHandling(app, { rejections: createRejectionRecorder(deps.rejectionLogIntervalMs !== undefined ? { intervalMs: deps.rejectionLogIntervalMs } : {}), adapters });
  registerHealthRoutes(app, { redis: deps.redis });
  if (deps.metrics ?? true) {
    app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
      const { registry } = getMetrics();
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }
  // Only the webhook routes are limited; counted in memory per replica (an LRU of 5,000 addresses), keyed by the
  // source address, checked on `onRequest`, before the body is read.
  void app.register(rateLimitPlugin, {
    global: false,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) => new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
  const rateLimit = deps.rateLimit ?? defaultWebhookRateLimit;
  void app.register(async (scope) => {
    // One allowance per source address shared by every webhook route (a per-route limit would multiply it).
    if (rateLimit.max > 0) scope.addHook('onRequest', scope.rateLimit({ max: rateLimit.max, timeWindow: rateLimit.timeWindowMs }));
    registerGitWebhookRoutes(scope, {
      config: deps.config,
      redis: deps.redis,
      producers: deps.producers,
      events: deps.events,
      dedupe: createDeliveryDedupe({ redis: deps.redis, ttlSeconds: deps.dedupeTtlSeconds ?? defaultDedupeTtlSeconds }),
      adapters,
      ...(deps.globalWebhookSecret ? { globalWebhookSecret: deps.globalWebhookSecret } : {}),
      ...(deps.configSource ? { configSource: deps.configSource } : {}),
    });
    registerRegistryWebhookRoutes(scope, {
      config: deps.config,
      imageProducer,
      dedupe: createDeliveryDedupe({ redis: deps.redis, ttlSeconds: deps.dedupeTtlSeconds ?? defaultDedupeTtlSeconds }),
      secrets: deps.registryWebhookSecrets ?? [],
    });
  });
  return app;
}
