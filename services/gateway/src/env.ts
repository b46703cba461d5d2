import { z } from 'zod';
import type { WebhookRateLimit } from './app.ts';

/** How the webhook port admits requests: the per-source rate limit and which proxies to believe. */
export const GatewayIngressEnv = z.object({
  /** Webhook requests per source address per window (answered 429 with Retry-After beyond it); 0 turns the limit off. */
  TIDEWATER_WEBHOOK_RATE_LIMIT_MAX: z.coerce.number().int().min(0).default(600),
  TIDEWATER_WEBHOOK_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  /**
   * Behind a load balancer: which proxies' X-Forwarded-For to believe for the source address (`true`, or
   * comma-separated addresses/CIDRs). Unset: the connection's own address.
   */
  TIDEWATER_TRUST_PROXY: z.string().min(1).optional().transform((value) => parseTrustProxy(value)),
});
export type GatewayIngressEnv = z.infer<typeof GatewayIngressEnv>;

/** The gateway's environment, parsed once at start-up by `main.ts`. */
export const GatewayEnv = GatewayIngressEnv.extend({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  TIDEWATER_CONFIG: z.string().min(1, 'TIDEWATER_CONFIG must name the configuration directory or a git::<url>//<path>?ref=<rev> source'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** A webhook secret accepted for every repository, besides each Repository's webhookSecretRef. */
  TIDEWATER_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** How long `close()` may take on SIGTERM before the process exits anyway. */
  TIDEWATER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;

function parseTrustProxy(value: string | undefined): boolean | string[] | undefined {
  if (value === undefined || value === 'false') return undefined;
  if (value === 'true') return true;
  return value.split(',').map((entry) => entry.trim()).filter(Boolean);
}

function parseWith<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    // Field names only: a value may be a secret.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid gateway environment: ${problems.join('; ')}`);
  }
  return result.data;
}

export function parseGatewayEnv(env: NodeJS.ProcessEnv): GatewayEnv {
  return parseWith(GatewayEnv, env);
}

/** The rate limit and trusted proxies from the environment, for `startGateway` (gateway `main.ts` and `tide all`). */
export function webhookIngressFromEnv(env: NodeJS.ProcessEnv): { rateLimit: WebhookRateLimit; trustProxy?: boolean | string[] } {
  const parsed = parseWith(GatewayIngressEnv, env);
  return {
    rateLimit: { max: parsed.TIDEWATER_WEBHOOK_RATE_LIMIT_MAX, timeWindowMs: parsed.TIDEWATER_WEBHOOK_RATE_LIMIT_WINDOW_MS },
    ...(parsed.TIDEWATER_TRUST_PROXY !== undefined ? { trustProxy: parsed.TIDEWATER_TRUST_PROXY } : {}),
  };
}
