import type { ArgoApplication, SyncOptions } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { readLiveObject } from '../drift/live-comparison.ts';
import { ignoreRulesOf, rulesForObject, withoutIgnoredFields, type IgnoreFailure, type IgnoreRule } from '../diff/ignore-differences.ts';
import { mapBounded } from './bounded-map.ts';
import type { PlannedObject } from './sync-plan.ts';

// `RespectIgnoreDifferences=true` (Argo CD): a sync leaves the fields spec.ignoreDifferences names as they are live.
// As Argo CD does, the manifest loses the ignored fields and gets them back with their live values (so an HPA's
// replica count stays, and Tidewater does not give up fields it owns and thereby delete them); an object that
// does not exist yet is applied as Git says.

type PathSegment = { key: string } | { index: number; name?: string };

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const itemName = (item: unknown) => (isMap(item) && typeof item.name === 'string' ? item.name : undefined);

/** Paths of what `normalized` lacks compared with `original` (the fields normalization removed). */
export function removedPaths(original: unknown, normalized: unknown, path: PathSegment[] = []): PathSegment[][] {
  if (isMap(original) && isMap(normalized)) {
    return Object.keys(original).flatMap((key) => Object.hasOwn(normalized, key)
      ? removedPaths(original[key], normalized[key], [...path, { key }])
      : [[...path, { key }]]);
  }
  if (Array.isArray(original) && Array.isArray(normalized)) {
    if (original.length === normalized.length) {
      return original.flatMap((item, index) => removedPaths(item, normalized[index], [...path, { index, ...(itemName(item) ? { name: itemName(item) } : {}) }]));
    }
    // Whole items were removed: pair the rest by name (or equality, in order); the unpaired ones are the removed.
    const paths: PathSegment[][] = [];
    let cursor = 0;
    original.forEach((item, index) => {
      const segment = { index, ...(itemName(item) ? { name: itemName(item) } : {}) };
      const name = itemName(item);
      const match = name !== undefined
        ? normalized.findIndex((candidate) => itemName(candidate) === name)
        : normalized.findIndex((candidate, candidateIndex) => candidateIndex >= cursor && JSON.stringify(candidate) === JSON.stringify(item));
      if (match === -1) {
        paths.push([...path, segment]);
        return;
      }
      cursor = match + 1;
      paths.push(...removedPaths(item, normalized[match], [...path, segment]));
    });
    return paths;
  }
  return [];
}

function valueAt(document: unknown, path: readonly PathSegment[]): { found: boolean; value?: unknown } {
  let current = document;
  for (const segment of path) {
    if ('key' in segment) {
      if (!isMap(current) || !Object.hasOwn(current, segment.key)) return { found: false };
      current = current[segment.key];
    } else {
      if (!Array.isArray(current) || segment.index >= current.length) return { found: false };
      current = current[segment.index];
    }
  }
  return { found: true, value: current };
}

/** Sets `value` at `path` in `target`, finding list items by name where they have one and creating missing maps. */
function setAt(target: Record<string, unknown>, path: readonly PathSegment[], value: unknown): void {
  let current: unknown = target;
  for (const [position, segment] of path.entries()) {
    const last = position === path.length - 1;
    if ('key' in segment) {
      if (!isMap(current)) return;
      if (last) {
        current[segment.key] = structuredClone(value);
        return;
      }
      const nextIsList = !('key' in path[position + 1]);
      if (current[segment.key] === undefined || current[segment.key] === null) current[segment.key] = nextIsList ? [] : {};
      current = current[segment.key];
      continue;
    }
    if (!Array.isArray(current)) return;
    let index = segment.name !== undefined ? current.findIndex((item) => itemName(item) === segment.name) : segment.index;
    if (index === -1 || index >= current.length) {
      if (!last) return; // the item is gone from Git: nothing to keep inside it
      index = current.length;
    }
    if (last) {
      current[index] = structuredClone(value);
      return;
    }
    current = current[index];
  }
}

/**
 * The manifest to apply when `RespectIgnoreDifferences=true`: Git's manifest without the ignored fields, plus the
 * ignored fields as they are on the live object (absent live → absent in the manifest).
 */
export async function manifestKeepingIgnoredFields(
  manifest: KubernetesObject,
  live: KubernetesObject,
  rules: readonly IgnoreRule[],
  onFailure?: (failure: IgnoreFailure) => void,
): Promise<KubernetesObject> {
  const { metadata: { managedFields, ...liveMetadata } = {}, status: _status, ...liveRest } = live as KubernetesObject & { status?: unknown; metadata: { managedFields?: unknown } };
  const liveContent = { ...liveRest, metadata: liveMetadata };
  const options = { liveManagedFields: managedFields, ...(onFailure ? { onFailure } : {}) };
  const normalizedLive = await withoutIgnoredFields(liveContent, rules, options);
  const kept = await withoutIgnoredFields(manifest, rules, options);
  for (const path of removedPaths(liveContent, normalizedLive)) {
    const live = valueAt(liveContent, path);
    if (live.found) setAt(kept as unknown as Record<string, unknown>, path, live.value);
  }
  return kept;
}

/**
 * Under `RespectIgnoreDifferences=true`: reads each planned object that an ignore rule names and replaces its
 * manifest (in place) with one that keeps the ignored fields' live values. Objects no rule names are not read.
 */
export async function keepIgnoredFieldsLive(input: {
  transport: KubeTransport;
  objects: readonly PlannedObject[];
  rules: readonly IgnoreRule[];
  onFailure?: (failure: IgnoreFailure) => void;
  concurrency?: number;
}): Promise<void> {
  if (input.rules.length === 0) return;
  await mapBounded(input.objects, input.concurrency ?? 8, async (planned) => {
    const rules = rulesForObject(input.rules, planned.ref);
    if (rules.length === 0) return;
    const live = await readLiveObject(input.transport, planned);
    if (!live) return;
    planned.manifest = await manifestKeepingIgnoredFields(planned.manifest, live, rules, input.onFailure);
  });
}

/** The sync's hook: with `RespectIgnoreDifferences=true` in the sync's options, keep ignored fields live (in place). */
export async function respectIgnoreDifferences(input: {
  application: Pick<ArgoApplication, 'spec'>;
  options: Pick<SyncOptions, 'respectIgnoreDifferences'>;
  transport: KubeTransport;
  objects: readonly PlannedObject[];
}): Promise<void> {
  if (!input.options.respectIgnoreDifferences) return;
  await keepIgnoredFieldsLive({ transport: input.transport, objects: input.objects, rules: ignoreRulesOf(input.application) });
}
