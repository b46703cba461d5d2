import { z } from 'zod';

/** The syncer's environment, parsed once at start-up. */
export const SyncerEnv = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** Directory of Tidewater / Argo CD YAML documents (Applications, AppProjects, Clusters). */
  TIDEWATER_CONFIG: z.string().min(1),
  SYNC_CONCURRENCY: z.coerce.number().int().positive().default(4),
  APPLY_CONCURRENCY: z.coerce.number().int().positive().default(16),
  /** Watches, drift and self-heal run in the elected leader replica only (default true); sync jobs run in every replica. */
  SYNCER_LEADER_ELECTION: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** How long a leader's claim lasts without renewal: a killed leader is replaced within this plus 2 s (default 10 s). */
  SYNCER_LEADER_TTL_MS: z.coerce.number().int().min(1_000).default(10_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * Watch (drift, health, self-heal) only this namespace: for a syncer whose RBAC is a Role in one namespace (the
   * chart's default, rbac.clusterWide=false), which may not list or watch across the cluster. Unset: cluster-wide.
   */
  TIDEWATER_WATCH_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'TIDEWATER_WATCH_NAMESPACE must be a namespace name').optional(),
});
export type SyncerEnv = z.infer<typeof SyncerEnv>;
