import { syncWaveOf, type ArgoApplication } from '@tidewater/config';
import type { RenderedBundle } from '@tidewater/queues';
import type { ClusterClient } from '../clusters/cluster-registry.ts';
import type { ResourceInfo } from '../discovery/resource-discovery.ts';
import { objectKey, splitApiVersion, type ObjectRef } from '../apply/object-ref.ts';
import { desiredManifest, type PlannedObject } from '../apply/sync-plan.ts';
import { isHookManifest } from '../hooks/split-hooks.ts';

/** One object of an application's applied bundle, as the cluster serves it. */
export interface DesiredObject {
  /** objectKey(cluster, ref). */
  key: string;
  ref: ObjectRef;
  /** How the cluster serves the kind; undefined when it does not (CRD missing). */
  info?: ResourceInfo;
  /** The manifest as Tidewater applies it (tracking label and annotation set); only for served kinds. */
  planned?: PlannedObject;
}

/**
 * The objects a bundle puts on a cluster, resolved the way a sync resolves them: kinds through the cluster's
 * discovery, namespaced objects defaulting to the destination namespace, a later duplicate replacing an earlier one.
 */
export async function resolveDesiredObjects(bundle: RenderedBundle, application: ArgoApplication, cluster: ClusterClient): Promise<DesiredObject[]> {
  const app = application.metadata.name;
  const destinationNamespace = application.spec.destination.namespace || undefined;
  const kinds = new Map<string, ResourceInfo | undefined>();
  const byKey = new Map<string, DesiredObject>();
  for (const object of bundle.objects) {
    if (!object || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') continue;
    if (isHookManifest(object)) continue; // hooks run during a sync; they are not part of the application's live state
    const kindKey = `${object.apiVersion}|${object.kind}`;
    if (!kinds.has(kindKey)) kinds.set(kindKey, await cluster.discovery.find(object.apiVersion, object.kind));
    const info = kinds.get(kindKey);
    const { group, version } = splitApiVersion(object.apiVersion);
    // Unknown kinds: namespaced is the common case and names the object as the operator wrote it.
    const namespaced = info ? info.namespaced : true;
    const namespace = namespaced ? (object.metadata.namespace || destinationNamespace || 'default') : undefined;
    const ref: ObjectRef = { group, version, kind: object.kind, namespace, name: object.metadata.name };
    const key = objectKey(cluster.name, ref);
    byKey.set(key, {
      key, ref,
      ...(info ? {
        info,
        planned: { ref, info, manifest: desiredManifest(object, app, ref, info.namespaced), wave: syncWaveOf(object) },
      } : {}),
    });
  }
  return [...byKey.values()];
}
