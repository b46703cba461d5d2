import { z } from 'zod';

/** The gateway's environment, parsed once at start-up by `main.ts`. */
export const GatewayEnv = z.object({
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

export function parseGatewayEnv(env: NodeJS.ProcessEnv): GatewayEnv {
  const result = GatewayEnv.safeParse(env);
  if (!result.success) {
    // Field names only: a value may be a secret.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid gateway environment: ${problems.join('; ')}`);
  }
  return result.data;
}
