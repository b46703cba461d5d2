import type { Redis } from 'ioredis';
import { verifyBundleSignature, type BundleSigningKey, type RenderedBundle } from '@tidewater/queues';

/** The bundle the latest sync of an application applied (or tried to): what health and drift compare against. */
export interface AppliedBundleRecord {
  app: string;
  revision: string;
  /** The renderer's bundle key the sync read (it expires; the copy at appliedBundleKey does not). */
  bundleKey: string;
  /** Drift is healed only toward a bundle whose sync succeeded. */
  phase: 'Succeeded' | 'Failed';
  appliedAt: string;
}

export const appliedRecordKey = (app: string) => `tidewater:syncer:applied:${app}`;
/** A copy of the applied bundle that outlives the renderer's cache TTL, so drift is judged after a quiet week too. */
export const appliedBundleKey = (app: string) => `tidewater:syncer:applied-bundle:${app}`;

/**
 * Records what a sync applied, after it ran (Succeeded or Failed): the record plus a copy of the bundle.
 * The bundle is copied only when it is another bundle than last time (bundle keys name immutable content).
 */
export async function recordAppliedBundle(redis: Redis, record: AppliedBundleRecord): Promise<void> {
  const previous = await readAppliedRecord(redis, record.app);
  const copyMissing = !previous || previous.bundleKey !== record.bundleKey || (await redis.exists(appliedBundleKey(record.app))) === 0;
  if (copyMissing) {
    // GET + SET rather than COPY: the two keys hash to different slots on a Redis Cluster.
    const raw = await redis.get(record.bundleKey);
    if (raw === null) return; // the sync read it a moment ago; gone now means someone flushed the cache
    await redis.multi().set(appliedBundleKey(record.app), raw).set(appliedRecordKey(record.app), JSON.stringify(record)).exec();
    return;
  }
  await redis.set(appliedRecordKey(record.app), JSON.stringify(record));
}

export async function readAppliedRecord(redis: Redis, app: string): Promise<AppliedBundleRecord | undefined> {
  const raw = await redis.get(appliedRecordKey(app));
  return raw ? (JSON.parse(raw) as AppliedBundleRecord) : undefined;
}

/**
 * The applied bundle's copy, or undefined when the application never synced. With `signingKey`, a copy whose
 * renderer signature does not verify (altered in Redis) is undefined too, so self-heal never re-applies it.
 */
export async function readAppliedBundle(redis: Redis, app: string, signingKey?: BundleSigningKey): Promise<RenderedBundle | undefined> {
  const raw = await redis.get(appliedBundleKey(app));
  if (!raw) return undefined;
  const bundle = JSON.parse(raw) as RenderedBundle;
  if (signingKey && !verifyBundleSignature(bundle, signingKey).ok) return undefined;
  return bundle;
}
