import { z } from 'zod';

/** The notifier's environment, parsed once at start-up by `main.ts`. */
export const NotifierEnv = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  TIDEWATER_CONFIG: z.string().min(1, 'TIDEWATER_CONFIG must name the configuration directory or a git::<url>//<path>?ref=<rev> source'),
  /** A notification not delivered this long after its event is reported as failed (default 24 h); until then it is retried. */
  TIDEWATER_NOTIFY_MAX_AGE_MS: z.coerce.number().int().positive().default(24 * 3_600_000),
  /** First retry delay of a failed delivery, doubled per attempt (default 1 s). */
  TIDEWATER_NOTIFY_RETRY_BASE_MS: z.coerce.number().int().positive().default(1_000),
  /** Longest wait between two attempts unless the receiver's Retry-After asks for longer (default 60 s). */
  TIDEWATER_NOTIFY_RETRY_MAX_DELAY_MS: z.coerce.number().int().positive().default(60_000),
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

/** The delivery options of `createNotifier` from the parsed environment (notifier `main.ts`). */
export function deliveryOptionsFrom(env: Pick<NotifierEnv, 'TIDEWATER_NOTIFY_MAX_AGE_MS' | 'TIDEWATER_NOTIFY_RETRY_BASE_MS' | 'TIDEWATER_NOTIFY_RETRY_MAX_DELAY_MS'>): { maxAgeMs: number; baseDelayMs: number; maxDelayMs: number } {
  return { maxAgeMs: env.TIDEWATER_NOTIFY_MAX_AGE_MS, baseDelayMs: env.TIDEWATER_NOTIFY_RETRY_BASE_MS, maxDelayMs: env.TIDEWATER_NOTIFY_RETRY_MAX_DELAY_MS };
}
