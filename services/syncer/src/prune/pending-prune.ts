import type { Redis } from 'ioredis';
import { describeObject } from '../apply/object-ref.ts';
import type { InventoryEntry } from './inventory.ts';

/** Objects an application's last sync kept because of Prune=confirm, until an operator confirms (or Git changes). */
export interface PendingPrune {
  app: string;
  /** The revision whose sync found them. */
  revision: string;
  entries: InventoryEntry[];
  since: string;
}

export const pendingPruneKey = (app: string) => `tidewater:syncer:pending-prune:${app}`;

export async function readPendingPrune(redis: Redis, app: string): Promise<PendingPrune | undefined> {
  const raw = await redis.get(pendingPruneKey(app));
  return raw ? (JSON.parse(raw) as PendingPrune) : undefined;
}

/** Records the objects waiting for confirmation, or clears the record when none is. */
export async function recordPendingPrune(redis: Redis, app: string, revision: string, entries: readonly InventoryEntry[]): Promise<void> {
  if (entries.length === 0) {
    await redis.del(pendingPruneKey(app));
    return;
  }
  const pending: PendingPrune = { app, revision, entries: [...entries], since: new Date().toISOString() };
  await redis.set(pendingPruneKey(app), JSON.stringify(pending));
}

/** `waiting for prune confirmation: ConfigMap a in namespace x, …` for the sync's message. */
export function pendingPruneMessage(entries: readonly InventoryEntry[]): string {
  const shown = entries.slice(0, 10).map((entry) => describeObject(entry)).join(', ');
  const more = entries.length > 10 ? ` (and ${entries.length - 10} more)` : '';
  return `waiting for prune confirmation: ${shown}${more}; confirm with a confirm-prune control request`;
}
