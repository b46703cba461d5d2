import type { ClusterClient } from '../clusters/cluster-registry.ts';
import { apiVersionOf, describeObject } from './object-ref.ts';
import type { AppliedObject } from './server-side-apply.ts';
import { desiredManifest, type PlannedObject } from './sync-plan.ts';
import { trackingAppOf } from './tracking.ts';

/**
 * SkipDryRunOnMissingResource=true: objects whose kind was not served when the sync was planned are resolved
 * again (discovery refreshed) right before their wave. Resolved objects are updated in place; the others get a
 * failed result naming the kind.
 */
export async function resolveDeferredKinds(cluster: ClusterClient, objects: readonly PlannedObject[]): Promise<Map<PlannedObject, AppliedObject>> {
  const unresolved = new Map<PlannedObject, AppliedObject>();
  const deferred = objects.filter((object) => object.unresolvedKind);
  if (deferred.length === 0) return unresolved;
  await cluster.discovery.refresh();
  for (const object of deferred) {
    const { ref } = object;
    const info = await cluster.discovery.find(apiVersionOf(ref), ref.kind);
    if (!info) {
      unresolved.set(object, {
        group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name, outcome: 'failed',
        message: `${describeObject(ref)}: no kind ${ref.kind} in group ${ref.group || 'core'} version ${ref.version} on cluster ${cluster.name} when its wave was applied (SkipDryRunOnMissingResource=true: is its CRD installed?)`,
      });
      continue;
    }
    const app = trackingAppOf(object.manifest.metadata) ?? '';
    if (!info.namespaced) object.ref = { ...ref, namespace: undefined };
    object.info = info;
    object.manifest = desiredManifest(object.manifest, app, object.ref, info.namespaced);
    object.unresolvedKind = false;
  }
  return unresolved;
}
