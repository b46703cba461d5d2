import type { Redis } from 'ioredis';
import { eventsStreamKey, eventTypes } from '@tidewater/events';
import { objectKey } from '../apply/object-ref.ts';
import type { InventoryEntry } from './inventory.ts';

/** Objects whose DELETE was sent but whose `resource.pruned` event is not known to be published (a crash in between). */
export const pruneJournalKey = (app: string) => `tidewater:syncer:pruning:${app}`;

export interface PruneJournal {
  /** Before the DELETE. */
  begin(entry: InventoryEntry): Promise<void>;
  /** After the event was published. */
  done(entry: InventoryEntry): Promise<void>;
  /**
   * Whether an earlier attempt sent this object's DELETE and died before its event reached the stream: it is in the
   * journal and the stream holds no `resource.pruned` of it since the DELETE (a crash between the event and done()).
   */
  owesEvent(entry: InventoryEntry): Promise<boolean>;
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
      await redis.hset(key, field(entry), String(Date.now()));
    },
    async done(entry) {
      await redis.hdel(key, field(entry));
    },
    async owesEvent(entry) {
      const began = await redis.hget(key, field(entry));
      if (began === null) return false;
      // Stream ids start with the time in ms: read only what was published since the DELETE was sent.
      const since = await redis.xrange(eventsStreamKey, `${Math.max(0, Number(began) - 1_000)}-0`, '+', 'COUNT', 100_000);
      const published = since.some(([, fields]) => {
        const raw = fields[fields.indexOf('event') + 1];
        if (!raw?.includes(eventTypes.resourcePruned)) return false;
        const data = (JSON.parse(raw) as { type: string; data: Record<string, unknown> });
        return data.type === eventTypes.resourcePruned && data.data.app === app && data.data.cluster === entry.cluster
          && data.data.kind === entry.kind && data.data.name === entry.name && (data.data.namespace ?? undefined) === (entry.namespace ?? undefined);
      });
      if (published) await redis.hdel(key, field(entry));
      return !published;
    },
  };
}
