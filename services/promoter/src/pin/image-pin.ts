import type { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';

/** What the promoter last wrote for a policy: a different value in Git later means someone reverted or replaced it. */
export interface WrittenImage {
  tag: string;
  digest?: string;
  commit: string;
  at: string;
}

export const writtenImageKey = (policy: string) => `tidewater:promoter:written:${policy}`;

export async function readWrittenImage(redis: Redis, policy: string): Promise<WrittenImage | undefined> {
  const raw = await redis.get(writtenImageKey(policy));
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<WrittenImage>;
    return typeof value.tag === 'string' && typeof value.commit === 'string' ? (value as WrittenImage) : undefined;
  } catch {
    return undefined;
  }
}

export async function recordWrittenImage(redis: Redis, policy: string, written: WrittenImage): Promise<void> {
  await redis.set(writtenImageKey(policy), JSON.stringify(written));
}

/** The app's pause record (written by `tide rollback`), if any: while it exists the promoter commits nothing for it. */
export async function readPause(redis: Redis, app: string): Promise<{ by?: string; reason?: string } | undefined> {
  const raw = await redis.get(redisKeys.paused(app));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as { by?: string; reason?: string };
  } catch {
    return {};
  }
}

/**
 * A Git revert of an image change pins the app as a rollback does: the same pause record, so `tide resume` (or a
 * new commit, as for any pause) lifts it, and the promoter never re-applies the tag behind the operator's back.
 */
export async function pinAfterRevert(redis: Redis, app: string, policy: string, revision: string, detail: string): Promise<void> {
  // The operator's value is the new baseline: after resume, newer tags are judged against it, not re-pinned.
  await redis.del(writtenImageKey(policy));
  await redis.set(redisKeys.paused(app), JSON.stringify({ revision, by: 'tidewater-promoter', at: new Date().toISOString(), reason: `image change reverted in Git: ${detail}` }), 'NX');
}
