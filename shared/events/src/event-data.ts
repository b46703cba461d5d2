import { z } from 'zod';

// Schemas of event `data`, so consumers parse what crosses the stream instead of casting it.

/** `dev.tidewater.app.out-of-sync`: the app's live state differs from `revision`; nothing was applied. */
export const AppOutOfSyncData = z.object({
  app: z.string(),
  revision: z.string(),
  /** `manual`: waits for a sync request; `automated`: the refusal or failure below keeps it from syncing. */
  syncPolicy: z.enum(['automated', 'manual']),
  /** Why, when it is not only the objects' diff (the project refuses the app, a sync failed). */
  reason: z.string().optional(),
  /** Objects that differ: `added` (absent from the cluster), `changed`, `removed` (left Git). */
  objects: z.array(z.object({
    group: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(),
    status: z.enum(['added', 'changed', 'removed']),
  })),
  /** How many objects differ in all (`objects` lists at most 50). */
  outOfSyncCount: z.number().int().nonnegative(),
  actor: z.string().optional(),
  traceId: z.string().optional(),
});
export type AppOutOfSyncData = z.infer<typeof AppOutOfSyncData>;

/** `dev.tidewater.sync.retry-scheduled`: a failed automated sync runs again at `nextAttemptAt` (or sooner, see waitingFor). */
export const SyncRetryScheduledData = z.object({
  app: z.string(),
  revision: z.string(),
  /** The retry about to run: 1 for the first retry. */
  attempt: z.number().int().positive(),
  /** `syncPolicy.retry.limit`; -1 retries without limit. */
  limit: z.number().int(),
  nextAttemptAt: z.string(),
  reason: z.string(),
  /** What a prompt retry waits for, e.g. `namespace team-a`, `kind Widget in example.com`. */
  waitingFor: z.array(z.string()).default([]),
  traceId: z.string().optional(),
});
export type SyncRetryScheduledData = z.infer<typeof SyncRetryScheduledData>;

/** `dev.tidewater.sync.terminated`: the running sync of `app` stopped at an object boundary on `actor`'s request. */
export const SyncTerminatedData = z.object({
  app: z.string(),
  revision: z.string().optional(),
  actor: z.string(),
  traceId: z.string().optional(),
});
export type SyncTerminatedData = z.infer<typeof SyncTerminatedData>;
