import type { Redis } from 'ioredis';
import type { ObjectRef } from '../apply/object-ref.ts';

/** An object an application applied to a cluster; what prune compares the next bundle against. */
export interface InventoryEntry extends ObjectRef {
  /** Cluster document name. */
  cluster: string;
  /** resourceVersion after the last apply: an apply that keeps it reports `unchanged`. */
  resourceVersion?: string;
  /** The destination namespace created for CreateNamespace=true: remembered for its resourceVersion, never pruned. */
  managedNamespace?: boolean;
}

export const inventoryKey = (app: string) => `tidewater:syncer:inventory:${app}`;

export async function readInventory(redis: Redis, app: string): Promise<InventoryEntry[]> {
  const raw = await redis.get(inventoryKey(app));
  return raw ? (JSON.parse(raw) as InventoryEntry[]) : [];
}

export async function writeInventory(redis: Redis, app: string, entries: readonly InventoryEntry[]): Promise<void> {
  await redis.set(inventoryKey(app), JSON.stringify(entries));
}
