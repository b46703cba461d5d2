import type { SyncOptions } from '@tidewater/config';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import type { IgnoreRule } from '../diff/ignore-differences.ts';
import { compareWithDesired, readLiveObject } from '../drift/live-comparison.ts';
import { deleteAndWait } from './recreate-object.ts';
import { createObject, replaceObject } from './replace-object.ts';
import { applyObject, type AppliedObject } from './server-side-apply.ts';
import { sharedResourceConflict } from './shared-resource.ts';
import type { PlannedObject } from './sync-plan.ts';
import { trackingAppOf } from './tracking.ts';

// Rejections that a delete and re-create can get past: 422 Invalid (an immutable field) and 409 Conflict.
const recreatableStatus = /^[^:]*: (409|422) /;

/**
 * One object of a sync, the way its effective sync options ask (the application's, merged with the operation's and
 * the object's `argocd.argoproj.io/sync-options` annotation, as computed by the caller):
 * - FailOnSharedResource=true: fail when the live object is tracked by another application, naming both;
 * - ApplyOutOfSyncOnly=true: leave an object that is already in sync (ignoreDifferences applied) untouched;
 * - Replace=true: PUT (create when missing) instead of server-side apply; with Force=true, delete and create;
 * - Force=true: when the apply or replace is rejected (immutable field, conflict), delete and re-create;
 * - Validate=false: fieldValidation=Ignore instead of Strict.
 * Everything else is Tidewater's forced server-side apply (ServerSideApply=true or not).
 */
export async function syncObject(
  transport: KubeTransport,
  planned: PlannedObject,
  options: SyncOptions | undefined = planned.options,
  context: { ignoreRules?: readonly IgnoreRule[] } = {},
): Promise<AppliedObject> {
  const { ref } = planned;
  const identity = { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name };
  if (options?.failOnSharedResource || options?.applyOutOfSyncOnly) {
    const live = await readLiveObject(transport, planned).catch((error: Error) => error);
    if (live instanceof Error) return { ...identity, outcome: 'failed', message: live.message };
    if (live && options.failOnSharedResource) {
      const app = trackingAppOf(planned.manifest.metadata);
      const conflict = app ? sharedResourceConflict(app, ref, live.metadata) : undefined;
      if (conflict) return { ...identity, outcome: 'failed', message: conflict };
    }
    if (live && options.applyOutOfSyncOnly) {
      const comparison = await compareWithDesired(transport, planned, live, { rules: context.ignoreRules ?? [] });
      if (comparison.kind === 'in-sync') {
        return { ...identity, outcome: 'unchanged', resourceVersion: comparison.live.metadata?.resourceVersion as string | undefined, message: 'in sync: not applied (ApplyOutOfSyncOnly=true)' };
      }
    }
  }
  const validate = options?.validate ?? true;
  if (options?.replace && options.force) return recreate(transport, planned, { validate, replace: true }, 'Replace=true,Force=true');
  const result = options?.replace ? await replaceObject(transport, planned, { validate }) : await applyObject(transport, planned, { validate });
  if (result.outcome !== 'failed' || !options?.force || !recreatableStatus.test(result.message ?? '')) return result;
  const recreated = await recreate(transport, planned, { validate, replace: options.replace }, 'Force=true');
  return recreated.outcome === 'failed' ? { ...recreated, message: `${result.message}; Force=true: ${recreated.message}` } : { ...recreated, message: `re-created (Force=true) after: ${result.message}` };
}

/** Delete (waiting until gone) and create: `kubectl replace --force`, or `kubectl apply --force` after a rejection. */
async function recreate(transport: KubeTransport, planned: PlannedObject, how: { validate: boolean; replace: boolean }, because: string): Promise<AppliedObject> {
  const { ref } = planned;
  const identity = { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name };
  const notDeleted = await deleteAndWait(transport, planned);
  if (notDeleted) return { ...identity, outcome: 'failed', message: notDeleted };
  const created = how.replace ? await createObject(transport, planned, { validate: how.validate }) : await applyObject(transport, planned, { validate: how.validate });
  if (created.outcome === 'failed') return created;
  return { ...created, outcome: 'created', message: `deleted and re-created (${because})` };
}
