import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** `$XDG_DATA_HOME/tidewater/audit`, else `~/.local/share/tidewater/audit`. */
export function defaultAuditDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'tidewater', 'audit');
}

/** The auditor's environment, parsed once at start-up by `main.ts`. Sink settings: see auditSinkFromEnv. */
export const AuditorEnv = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  TIDEWATER_AUDIT_DIR: z.string().min(1).optional(),
  /** Optional configuration directory: AuditSink documents and Applications (for DORA environments). */
  TIDEWATER_CONFIG: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8081),
  HOST: z.string().min(1).default('127.0.0.1'),
  TIDEWATER_AUDIT_CONSUMER: z.string().min(1).default('auditor'),
  TIDEWATER_AUDIT_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** Verify the whole chain at start-up (logs an error when it fails; the auditor keeps appending). */
  TIDEWATER_AUDIT_VERIFY_ON_START: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  TIDEWATER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type AuditorEnv = z.infer<typeof AuditorEnv>;

export function parseAuditorEnv(env: NodeJS.ProcessEnv): AuditorEnv & { auditDir: string } {
  const result = AuditorEnv.safeParse(env);
  if (!result.success) {
    // Field names only: a value may be a secret.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid auditor environment: ${problems.join('; ')}`);
  }
  return { ...result.data, auditDir: result.data.TIDEWATER_AUDIT_DIR ?? defaultAuditDir(env) };
}
