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
}
