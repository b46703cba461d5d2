import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KubernetesObject } from '@tidewater/queues';
import { isRetryableStatus, retryableStatusError } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { objectKey } from './object-ref.ts';
import { resourcePath } from './resource-path.ts';
import type { PlannedObject } from './sync-plan.ts';
import { trackingLabel } from './tracking.ts';

// No-op syncs that cost (almost) nothing. After each sync Tidewater remembers, per object, a fingerprint of the
// manifest it applied and one of the object's content as the API server answered (status, resourceVersion and
// managedFields timestamps left out). The next sync lists the application's objects with one request per resource
// type and namespace (selected by the tracking label) and sends no PATCH for an object whose desired manifest and
// live content both match: nobody changed it (drift), deleted it or changed it in Git. A controller writing the
// object's status does not count as a change. Anything else, or anything unknown, is applied as before.

/** What the last sync left behind for one object. */
export interface AppliedFingerprint {
  /** sha256 of the manifest as applied, with the options that change how it is applied. */
  manifest: string;
  /** sha256 of the live object's content after the apply (see liveContentFingerprint). */
  live: string;
}

export const appliedFingerprintsKey = (app: string) => `tidewater:syncer:applied-fingerprints:${app}`;

/** JSON with object keys sorted, so equal content hashes equally whatever order the API server wrote. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The manifest and the options that decide how it is written (Validate, Replace, Force). */
export function manifestFingerprint(planned: Pick<PlannedObject, 'manifest' | 'options'>): string {
  const how = { validate: planned.options?.validate ?? true, replace: planned.options?.replace ?? false, force: planned.options?.force ?? false };
  return sha256(canonicalJson({ manifest: planned.manifest, how }));
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
  [field: string]: unknown;
}

/**
 * A live object's content: everything but its status, resourceVersion, generation and the status writers'
 * managedFields entries (timestamps dropped from the rest). apiVersion and kind are left out because list items
 * carry neither. Whoever else takes a field, even with the same value, changes it (their managedFields entry).
 */
export function liveContentFingerprint(live: KubernetesObject): string {
  const { status: _status, apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = live as KubernetesObject & { status?: unknown };
  const { resourceVersion: _resourceVersion, generation: _generation, selfLink: _selfLink, managedFields, ...kept } = (metadata ?? {}) as Record<string, unknown>;
  const ownership = Array.isArray(managedFields)
    ? (managedFields as ManagedFieldsEntry[]).filter((entry) => entry.subresource !== 'status').map(({ time: _time, ...entry }) => entry)
    : [];
  return sha256(canonicalJson({ ...rest, metadata: { ...kept, managedFields: ownership } }));
}

export async function readAppliedFingerprints(redis: Redis, app: string): Promise<Map<string, AppliedFingerprint>> {
  const raw = await redis.get(appliedFingerprintsKey(app));
  if (!raw) return new Map();
  try {
    const parsed = JSON.parse(raw) as Record<string, AppliedFingerprint>;
    return new Map(Object.entries(parsed).filter(([, entry]) => typeof entry?.manifest === 'string' && typeof entry.live === 'string'));
  } catch {
    return new Map(); // unreadable: every object is applied, which rewrites it
  }
}

export async function writeAppliedFingerprints(redis: Redis, app: string, fingerprints: ReadonlyMap<string, AppliedFingerprint>): Promise<void> {
  if (fingerprints.size === 0) {
    await redis.del(appliedFingerprintsKey(app));
    return;
  }
  await redis.set(appliedFingerprintsKey(app), JSON.stringify(Object.fromEntries(fingerprints)));
}

const listPageSize = 500;

/** The collection an object lives in (`/api/v1/namespaces/demo/configmaps`). */
function collectionPath(planned: PlannedObject): string {
  const objectPath = resourcePath(planned.ref, planned.info);
  return objectPath.slice(0, objectPath.lastIndexOf('/'));
}

/**
 * The application's live objects among `candidates`, keyed by objectKey: one paged LIST per collection, selected
 * by the tracking label. A collection the syncer may not list (403, 404, …) is left out, so its objects are applied.
 */
export async function listTrackedObjects(input: {
  transport: KubeTransport;
  cluster: string;
  app: string;
  candidates: readonly PlannedObject[];
}): Promise<Map<string, KubernetesObject>> {
  const { transport } = input;
  const wanted = new Map<string, Map<string, PlannedObject>>();
  for (const planned of input.candidates) {
    const path = collectionPath(planned);
    const byName = wanted.get(path) ?? new Map<string, PlannedObject>();
    byName.set(planned.ref.name, planned);
    wanted.set(path, byName);
  }
  const selector = encodeURIComponent(`${trackingLabel}=${input.app}`);
  const live = new Map<string, KubernetesObject>();
  await Promise.all([...wanted.entries()].map(async ([path, byName]) => {
    let continueToken: string | undefined;
    do {
      const query = `labelSelector=${selector}&limit=${listPageSize}${continueToken ? `&continue=${encodeURIComponent(continueToken)}` : ''}`;
      const response = await transport.request<{ items?: KubernetesObject[]; metadata?: { continue?: string } }>({ method: 'GET', path: `${path}?${query}` });
      if (isRetryableStatus(response.status)) throw retryableStatusError(transport.clusterName, response, `listing ${path}`);
      if (response.status !== 200) return; // not listable: apply these objects as before
      for (const item of response.body.items ?? []) {
        const planned = byName.get(item.metadata?.name);
        if (planned) live.set(objectKey(input.cluster, planned.ref), item);
      }
      continueToken = response.body.metadata?.continue || undefined;
    } while (continueToken);
  }));
  return live;
}

/** Which planned objects need no apply, and the live object behind each (for its resourceVersion). */
export interface UnchangedObjects {
  unchanged: Map<PlannedObject, KubernetesObject>;
  /** Live objects read for the decision, keyed by objectKey (also used to tell `unchanged` after an apply). */
  live: Map<string, KubernetesObject>;
}

/**
 * The planned objects whose manifest is the one the last sync applied and whose live content is what that sync
 * left. Objects whose kind was not resolvable when planned, Replace=true,Force=true and ApplyOutOfSyncOnly=true
 * objects take their own path; everything is applied when nothing was recorded (a first sync lists nothing).
 */
export async function findUnchangedObjects(input: {
  transport: KubeTransport;
  cluster: string;
  app: string;
  objects: readonly PlannedObject[];
  recorded: ReadonlyMap<string, AppliedFingerprint>;
}): Promise<UnchangedObjects> {
  const candidates = input.objects.filter((planned) => {
    if (planned.unresolvedKind || !planned.info.resource) return false;
    // Replace=true,Force=true re-creates on every sync, as `kubectl replace --force` does in Argo CD; ApplyOutOfSyncOnly
    // judges with the diff (ignoreDifferences) and reports that it did.
    if ((planned.options?.replace && planned.options.force) || planned.options?.applyOutOfSyncOnly) return false;
    const recorded = input.recorded.get(objectKey(input.cluster, planned.ref));
    return recorded !== undefined && recorded.manifest === manifestFingerprint(planned);
  });
  const unchanged = new Map<PlannedObject, KubernetesObject>();
  if (candidates.length === 0) return { unchanged, live: new Map() };
  const live = await listTrackedObjects({ transport: input.transport, cluster: input.cluster, app: input.app, candidates });
  for (const planned of candidates) {
    const key = objectKey(input.cluster, planned.ref);
    const liveObject = live.get(key);
    if (liveObject && liveContentFingerprint(liveObject) === input.recorded.get(key)?.live) unchanged.set(planned, liveObject);
  }
  return { unchanged, live };
}
