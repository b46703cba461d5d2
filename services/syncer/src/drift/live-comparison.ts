import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@tidewater/queues';
import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { describeObject } from '../apply/object-ref.ts';
import { resourcePath } from '../apply/resource-path.ts';
import { fieldManager } from '../apply/server-side-apply.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';
import { rulesForObject, withoutIgnoredFields, type IgnoreFailure, type IgnoreRule } from '../diff/ignore-differences.ts';

export type LiveObject = KubernetesObject;

// Metadata the API server sets or bumps on every write: never part of what Git says.
const serverSetMetadata = ['resourceVersion', 'generation', 'managedFields', 'uid', 'creationTimestamp', 'selfLink'];

/** A copy without status and server-set metadata: what drift and diff compare. */
export function withoutServerFields(object: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = structuredClone(object);
  const metadata = rest.metadata as Record<string, unknown> | undefined;
  if (metadata) {
    for (const field of serverSetMetadata) delete metadata[field];
    for (const map of ['labels', 'annotations'] as const) {
      if (metadata[map] && Object.keys(metadata[map] as object).length === 0) delete metadata[map];
    }
  }
  return rest;
}

/** Hash of the object without status and server-set metadata: unchanged by status-only updates. */
export function contentFingerprint(object: Record<string, unknown>): string {
  return createHash('sha1').update(JSON.stringify(withoutServerFields(object))).digest('base64url');
}

const plainKey = /^[A-Za-z_][\w-]*$/;

function childPath(parent: string, key: string): string {
  if (plainKey.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Paths where `live` differs from `desired` (`spec.replicas`, `metadata.labels.team`,
 * `spec.template.spec.containers[0].image`); a list of another length is reported as the list itself.
 */
export function differingFields(live: unknown, desired: unknown, path = ''): string[] {
  if (Object.is(live, desired)) return [];
  if (Array.isArray(live) && Array.isArray(desired)) {
    if (live.length !== desired.length) return [path];
    return live.flatMap((item, index) => differingFields(item, desired[index], `${path}[${index}]`));
  }
  const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isMap(live) && isMap(desired)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(live)])];
    return keys.flatMap((key) => differingFields(live[key], desired[key], childPath(path, key)));
  }
  return [path];
}

export type DryRunOutcome =
  | { kind: 'applied'; object: LiveObject }
  | { kind: 'rejected'; message: string };

/**
 * What the object would look like after Tidewater's forced server-side apply, without persisting anything
 * (dryRun=All): live fields of other managers, API defaults and admission changes included. The answer keeps the
 * live object's resourceVersion, which tells the caller which live state it was computed from.
 */
export async function dryRunApply(transport: KubeTransport, planned: Pick<PlannedObject, 'ref' | 'info' | 'manifest'>): Promise<DryRunOutcome> {
  const response = await transport.request<LiveObject>({
    method: 'PATCH',
    path: `${resourcePath(planned.ref, planned.info)}?fieldManager=${fieldManager}&force=true&dryRun=All`,
    contentType: 'application/apply-patch+yaml',
    body: planned.manifest,
  });
  if (response.status === 200 || response.status === 201) return { kind: 'applied', object: response.body };
  if (isRetryableStatus(response.status)) throw retryableStatusError(transport.clusterName, response, `dry-run apply of ${describeObject(planned.ref)}`);
  return { kind: 'rejected', message: `${describeObject(planned.ref)}: ${response.status} ${statusMessage(response)}` };
}

/** GET of one object; undefined when it does not exist. */
export async function readLiveObject(transport: KubeTransport, planned: Pick<PlannedObject, 'ref' | 'info'>): Promise<LiveObject | undefined> {
  const response = await transport.request<LiveObject>({ method: 'GET', path: resourcePath(planned.ref, planned.info) });
  if (response.status === 200) return response.body;
  if (response.status === 404) return undefined;
  if (isRetryableStatus(response.status)) throw retryableStatusError(transport.clusterName, response, `reading ${describeObject(planned.ref)}`);
  throw new Error(`reading ${describeObject(planned.ref)} answered ${response.status}: ${statusMessage(response)}`);
}

/** Both sides as compared: without status, server-set metadata and the fields ignoreDifferences names. */
export interface ComparedPair {
  live: Record<string, unknown>;
  afterApply: Record<string, unknown>;
}

export type ComparisonOutcome =
  | { kind: 'in-sync'; live: LiveObject; afterApply: LiveObject; compared: ComparedPair }
  | { kind: 'drifted'; live: LiveObject; afterApply: LiveObject; compared: ComparedPair; fields: string[] }
  | { kind: 'missing' }
  | { kind: 'rejected'; message: string };

/**
 * Compares the fields Tidewater owns on one live object with the desired manifest: a dry-run apply of the
 * manifest against the live object, then the live object against that result, both without status and
 * server-set metadata. Fields other managers own and defaults the API server adds are equal on both sides.
 * `cached` is used when it is the version the dry run saw; otherwise the object is read again. Fields the
 * application's ignoreDifferences rules name are left out of both sides (Argo CD's normalization).
 */
export async function compareWithDesired(
  transport: KubeTransport,
  planned: Pick<PlannedObject, 'ref' | 'info' | 'manifest'>,
  cached: LiveObject | undefined,
  ignore: { rules: readonly IgnoreRule[]; onFailure?: (failure: IgnoreFailure) => void } = { rules: [] },
): Promise<ComparisonOutcome> {
  const rules = rulesForObject(ignore.rules, planned.ref);
  let live = cached;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (!live) {
      live = await readLiveObject(transport, planned);
      if (!live) return { kind: 'missing' };
    }
    const dryRun = await dryRunApply(transport, planned);
    if (dryRun.kind === 'rejected') return dryRun;
    const seenVersion = dryRun.object.metadata?.resourceVersion;
    if (seenVersion !== live.metadata?.resourceVersion) {
      live = undefined; // the object changed in between: read it again and retry
      continue;
    }
    const afterApply = dryRun.object;
    const compared = await comparedPair(live, afterApply, rules, ignore.onFailure);
    const fields = differingFields(compared.live, compared.afterApply);
    return fields.length > 0 ? { kind: 'drifted', live, afterApply, compared, fields } : { kind: 'in-sync', live, afterApply, compared };
  }
  return { kind: 'rejected', message: `${describeObject(planned.ref)} keeps changing; compared again on its next change` };
}

async function comparedPair(live: LiveObject, afterApply: LiveObject, rules: readonly IgnoreRule[], onFailure?: (failure: IgnoreFailure) => void): Promise<ComparedPair> {
  const pair = { live: withoutServerFields(live), afterApply: withoutServerFields(afterApply) };
  if (rules.length === 0) return pair;
  // The live object's managedFields say what managedFieldsManagers own (the forced dry run took them over).
  const options = { liveManagedFields: live.metadata?.managedFields, ...(onFailure ? { onFailure } : {}) };
  return {
    live: await withoutIgnoredFields(pair.live, rules, options),
    afterApply: await withoutIgnoredFields(pair.afterApply, rules, options),
  };
}
