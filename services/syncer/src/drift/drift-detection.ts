import type { Logger } from '@tidewater/telemetry';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { mapBounded } from '../apply/bounded-map.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';
import type { IgnoreRule } from '../diff/ignore-differences.ts';
import type { DriftedObject } from './app-drift.ts';
import { compareWithDesired, contentFingerprint, type LiveObject } from './live-comparison.ts';
import { lastChangedByTidewater, otherManagersOf } from './managed-fields.ts';

/** An object to check: what the watch shows of it now. */
export interface DriftCheckTarget {
  key: string;
  planned: PlannedObject;
  live: LiveObject | undefined;
}

/** What drift detection remembers per application between checks. */
export interface DriftMemory {
  /** Objects that differ now, by object key. */
  drift: Map<string, DriftedObject>;
  /** Content fingerprint of each object when it was last judged: an unchanged object is not compared again. */
  judged: Map<string, string>;
}

export interface DriftCheckResult {
  /** Objects that drifted since the last check, or drifted differently. */
  newlyDrifted: DriftedObject[];
  /** Objects that were drifted and no longer are (changed back, or applied by Tidewater). */
  resolved: DriftedObject[];
}

/**
 * Judges changed objects: a missing object is drift; an object whose newest change outside its status was
 * Tidewater's own apply is in sync; anything else is compared with its desired manifest (dry-run apply, see
 * compareWithDesired). Status-only changes leave the fingerprint alone and cost nothing.
 */
export async function detectDrift(input: {
  transport: KubeTransport;
  targets: readonly DriftCheckTarget[];
  memory: DriftMemory;
  logger: Logger;
  /** The application's ignoreDifferences: the fields they name are never drift. */
  ignore?: readonly IgnoreRule[];
  concurrency?: number;
}): Promise<DriftCheckResult> {
  const { memory } = input;
  const before = new Map(memory.drift);
  const toCompare: DriftCheckTarget[] = [];
  for (const target of input.targets) {
    if (!target.live) {
      memory.judged.delete(target.key);
      memory.drift.set(target.key, { ref: target.planned.ref, fields: [], missing: true });
      continue;
    }
    const fingerprint = contentFingerprint(target.live);
    if (memory.judged.get(target.key) === fingerprint) continue;
    if (lastChangedByTidewater(target.live)) {
      memory.drift.delete(target.key);
      memory.judged.set(target.key, fingerprint);
      continue;
    }
    toCompare.push(target);
  }
  await mapBounded(toCompare, input.concurrency ?? 8, async (target) => {
    try {
      const outcome = await compareWithDesired(input.transport, target.planned, target.live, {
        rules: input.ignore ?? [],
        onFailure: (failure) => input.logger.debug({ field: failure.field, reason: failure.message }, 'an ignoreDifferences jq expression did not apply to an object'),
      });
      switch (outcome.kind) {
        case 'missing':
          memory.judged.delete(target.key);
          memory.drift.set(target.key, { ref: target.planned.ref, fields: [], missing: true });
          break;
        case 'in-sync':
          memory.drift.delete(target.key);
          memory.judged.set(target.key, contentFingerprint(outcome.live));
          break;
        case 'drifted': {
          const managers = otherManagersOf(outcome.live, outcome.fields);
          memory.drift.set(target.key, { ref: target.planned.ref, fields: outcome.fields, ...(managers.length ? { managers } : {}) });
          memory.judged.set(target.key, contentFingerprint(outcome.live));
          break;
        }
        case 'rejected':
          input.logger.warn({ reason: outcome.message }, 'cannot compare an object with its desired state');
          break;
      }
    } catch (error) {
      // The cluster is unreachable or throttling: leave the object unjudged so the next check compares it.
      memory.judged.delete(target.key);
      input.logger.warn({ reason: (error as Error).message }, 'drift comparison failed; will compare again');
    }
  });
  const newlyDrifted = [...memory.drift.entries()]
    .filter(([key, drifted]) => !sameDrift(before.get(key), drifted))
    .map(([, drifted]) => drifted);
  const resolved = [...before.entries()].filter(([key]) => !memory.drift.has(key)).map(([, drifted]) => drifted);
  return { newlyDrifted, resolved };
}

function sameDrift(a: DriftedObject | undefined, b: DriftedObject): boolean {
  return a !== undefined && Boolean(a.missing) === Boolean(b.missing) && a.fields.join('\n') === b.fields.join('\n');
}
