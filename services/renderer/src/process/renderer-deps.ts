import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import type { BundleSigningKey, Producers } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { SharedTrees } from '../git/shared-trees.ts';

export interface RendererDeps {
  /** Current configuration; read per job so a reload takes effect on the next job. */
  config: () => TidewaterConfig;
  /** Worker connection (`createRedisConnection(url, 'worker')`, maxRetriesPerRequest null). */
  redis: Redis;
  producers: Producers;
  /** Signs every bundle written (TIDEWATER_BUNDLE_KEY); the syncer applies only bundles signed with the same key. */
  bundleSigningKey: BundleSigningKey;
  events: EventPublisher;
  logger: Logger;
  /** Bare mirrors (`mirrors/`) and per-job work dirs (`work/`). */
  cacheDir: string;
  /** Jobs processed at once (default 2). */
  concurrency?: number;
  /** Binary paths; default `helm` / `kustomize` on PATH. */
  tools?: { helm: string; kustomize: string };
  /** Trees of commits shared by the renders of one commit (default: one per cacheDir in this process). */
  sharedTrees?: SharedTrees;
  /** Limit for one helm/kustomize run (default 60 s). */
  toolTimeoutMs?: number;
  /** BullMQ lock of a running render; a dead renderer's job is taken over within about 1.5 times this (default 10 s). */
  lockDurationMs?: number;
  /** Times a render interrupted by crashes is run again before it fails with `render.failed` (default 2). */
  maxStalledCount?: number;
  /**
   * After its last attempt a render failing on a transient error (git or a chart repository unreachable) is
   * reported once and run again every this many ms until it succeeds or is superseded. Unset: it fails.
   */
  transientRetryDelayMs?: number;
}
