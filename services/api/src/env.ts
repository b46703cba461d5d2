import { z } from 'zod';

/** The API's environment, parsed once at start-up. Secrets are files (mounted Kubernetes Secrets), never values. */
export const ApiEnv = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** Directory (or git::…) of Tidewater / Argo CD documents: Applications, AppProjects, argocd-rbac-cm, argocd-cm. */
  TIDEWATER_CONFIG: z.string().min(1),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
  HOST: z.string().default('127.0.0.1'),
  /** The auditor's HTTP API, for /api/v1/audit/*. */
  AUDITOR_URL: z.url().optional(),
  /** File holding the admin's first password; without it one is generated into TIDEWATER_STATE_DIR. */
  TIDEWATER_ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
  /** File holding the HMAC key for session and project tokens; without it a key is generated and kept in Redis. */
  TIDEWATER_API_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Slack interactivity: Slack user ids mapped to Tidewater accounts, `U012AB=alice,U034CD=erin` (the signing secret is TIDEWATER_SECRET_SLACK_SIGNING_SECRET). */
  TIDEWATER_SLACK_USERS: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});
export type ApiEnv = z.infer<typeof ApiEnv>;
