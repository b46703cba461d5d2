import { z } from 'zod';

/** The promoter's environment, parsed once at start-up by `main.ts` (and `tide all`). */
export const PromoterEnv = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  TIDEWATER_CONFIG: z.string().min(1, 'TIDEWATER_CONFIG must name the configuration directory or a git::<url>//<path>?ref=<rev> source'),
  TIDEWATER_PROMOTER_CACHE_DIR: z.string().min(1).optional(),
  TIDEWATER_PROMOTER_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /** Registry hosts spoken to over plain HTTP, comma-separated (loopback hosts always are). */
  TIDEWATER_INSECURE_REGISTRIES: z.string().optional(),
  /** How often registries are polled for policies whose registry sends no notifications; 0 turns polling off. */
  TIDEWATER_IMAGE_POLL_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Most registry requests per registry host per minute (0: no budget); beyond it a job is retried with backoff. */
  TIDEWATER_REGISTRY_REQUEST_BUDGET_PER_MINUTE: z.coerce.number().int().min(0).default(0),
  TIDEWATER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type PromoterEnv = z.infer<typeof PromoterEnv>;

export function parsePromoterEnv(env: NodeJS.ProcessEnv): PromoterEnv {
  const result = PromoterEnv.safeParse(env);
  if (!result.success) throw new Error(`invalid promoter environment: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return result.data;
}

/**
 * Git write credentials for HTTPS remotes: `TIDEWATER_SECRET_PROMOTER_GIT_USERNAME` / `…_PASSWORD` (a token).
 * Read at start-up; only the promoter reads them.
 */
export function promoterGitCredentialsFromEnv(env: NodeJS.ProcessEnv): ((repoUrl: string) => { username: string; password: string } | undefined) | undefined {
  const password = env.TIDEWATER_SECRET_PROMOTER_GIT_PASSWORD;
  if (!password) return undefined;
  const username = env.TIDEWATER_SECRET_PROMOTER_GIT_USERNAME ?? 'x-access-token';
  return () => ({ username, password });
}

/** Registry pull credentials: `TIDEWATER_SECRET_REGISTRY_<HOST>` = `user:password` (host upper-cased, non-alphanumerics as `_`). */
export function registryCredentialsFromEnv(env: NodeJS.ProcessEnv): (host: string) => { username: string; password: string } | undefined {
  return (host) => {
    const value = env[`TIDEWATER_SECRET_REGISTRY_${host.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
    if (!value || !value.includes(':')) return undefined;
    const colon = value.indexOf(':');
    return { username: value.slice(0, colon), password: value.slice(colon + 1) };
  };
}
