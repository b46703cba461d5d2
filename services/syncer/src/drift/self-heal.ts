import { mapBounded } from '../apply/bounded-map.ts';
import { applyObject, type AppliedObject } from '../apply/server-side-apply.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';

/** When self-heal gives way to another controller that keeps changing the same object. */
export interface SelfHealPolicy {
  /** Heals of one object counted within this window (default 60 s). */
  windowMs: number;
  /** More heals than this within the window means a fight: back off (default 3). */
  maxHeals: number;
  /** First back-off, doubled on each further fight (default 5 s, at most 5 minutes). */
  backoffMs: number;
  maxBackoffMs: number;
}

export const defaultSelfHealPolicy: SelfHealPolicy = { windowMs: 60_000, maxHeals: 3, backoffMs: 5_000, maxBackoffMs: 300_000 };

/** Per application: when each object was healed, and how long self-heal keeps away from contested ones. */
export interface HealMemory {
  heals: Map<string, number[]>;
  backoffUntil: Map<string, number>;
  /** How many back-offs in a row an object had: each doubles the next. */
  contestLevel: Map<string, number>;
}

export function createHealMemory(): HealMemory {
  return { heals: new Map(), backoffUntil: new Map(), contestLevel: new Map() };
}

export interface HealPlan {
  /** Object keys to re-apply now. */
  ready: string[];
  /** Objects self-heal backs off from now (announce each once). */
  contested: Array<{ key: string; heals: number; retryInMs: number }>;
  /** When the earliest back-off ends, if any. */
  nextCheckInMs?: number;
}

/**
 * Which drifted objects to re-apply now. An object healed more than `maxHeals` times within `windowMs` is being
 * fought over: self-heal waits `backoffMs` (doubling per repeated fight), then tries once more.
 */
export function planHeals(keys: readonly string[], memory: HealMemory, policy: SelfHealPolicy, now = Date.now()): HealPlan {
  const plan: HealPlan = { ready: [], contested: [] };
  const later = (ms: number) => {
    plan.nextCheckInMs = plan.nextCheckInMs === undefined ? ms : Math.min(plan.nextCheckInMs, ms);
  };
  for (const key of keys) {
    const recent = (memory.heals.get(key) ?? []).filter((at) => now - at < policy.windowMs);
    memory.heals.set(key, recent);
    if (recent.length === 0) memory.contestLevel.delete(key);
    const until = memory.backoffUntil.get(key);
    if (until !== undefined && until > now) {
      later(until - now);
      continue;
    }
    if (until !== undefined) {
      memory.backoffUntil.delete(key); // the back-off is over: one more try
      plan.ready.push(key);
      continue;
    }
    if (recent.length >= policy.maxHeals) {
      const level = memory.contestLevel.get(key) ?? 0;
      const retryInMs = Math.min(policy.backoffMs * 2 ** level, policy.maxBackoffMs);
      memory.contestLevel.set(key, level + 1);
      memory.backoffUntil.set(key, now + retryInMs);
      plan.contested.push({ key, heals: recent.length, retryInMs });
      later(retryInMs);
      continue;
    }
    plan.ready.push(key);
  }
  return plan;
}

/** Re-applies drifted objects with Tidewater's forced server-side apply and notes each heal. */
export async function reapplyObjects(input: {
  transport: KubeTransport;
  objects: ReadonlyArray<{ key: string; planned: PlannedObject }>;
  memory: HealMemory;
  concurrency?: number;
}): Promise<Array<{ key: string; result: AppliedObject }>> {
  const results = await mapBounded(input.objects, input.concurrency ?? 8, async (object) => ({
    key: object.key,
    result: await applyObject(input.transport, object.planned),
  }));
  const now = Date.now();
  for (const { key, result } of results) {
    if (result.outcome === 'failed') continue;
    input.memory.heals.set(key, [...(input.memory.heals.get(key) ?? []), now]);
  }
  return results;
}
