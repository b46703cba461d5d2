import type { Redis } from 'ioredis';
import { objectKey } from '../apply/object-ref.ts';
import type { InventoryEntry } from './inventory.ts';

/** Objects whose DELETE was sent but whose `resource.pruned` event was not published yet (a crash in between). */
export const pruneJournalKey = (app: string) => `tidewater:syncer:pruning:${app}`;

export interface PruneJournal {
  /** Before the DELETE. */
  begin(entry: InventoryEntry): Promise<void>;
  /** After the event was published. */
  done(entry: InventoryEntry): Promise<void>;
  /** Whether a DELETE of this object was sent by an earlier attempt that did not publish its event. */
  begun(entry: InventoryEntry): Promise<boolean>;
}

/**
 * The prune journal of one application, in Redis: a sync killed between a DELETE and its event leaves the object
 * in the journal, and the retried sync, finding the object gone, publishes the event it owes (once).
 */
export function createPruneJournal(redis: Redis, app: string): PruneJournal {
  const key = pruneJournalKey(app);
  const field = (entry: InventoryEntry) => objectKey(entry.cluster, entry);
  return {
    async begin(entry) {
      await redis.hset(key, field(entry), new Date().toISOString());
    },
    async done(entry) {
      await redis.hdel(key, field(entry));
    },
    async begun(entry) {
      return (await redis.hexists(key, field(entry))) === 1;
    },
  };
}
