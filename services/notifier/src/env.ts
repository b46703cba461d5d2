import { z } from 'zod';

/** The notifier's environment, parsed once at start-up by `main.ts`. */
export const NotifierEnv = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  TIDEWATER_CONFIG: z.string().min(1, 'TIDEWATER_CONFIG must name the configuration directory or a git::<url>//<path>?ref=<rev> source'),
  /** How long `stop()` may take on SIGTERM before the process exits anyway. */
  TIDEWATER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type NotifierEnv = z.infer<typeof NotifierEnv>;

export function parseNotifierEnv(env: NodeJS.ProcessEnv): NotifierEnv {
  const result = NotifierEnv.safeParse(env);
  if (!result.success) {
    // Field names only: a value may be a secret.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid notifier environment: ${problems.join('; ')}`);
  }
  return result.data;
}
