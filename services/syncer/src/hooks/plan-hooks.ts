import { syncWaveOf } from '@tidewater/config';
import type { ObjectResult } from '@tidewater/queues';
import type { ClusterClient } from '../clusters/cluster-registry.ts';
import { describeObject, splitApiVersion, type ObjectRef } from '../apply/object-ref.ts';
import { desiredManifest, type PlannedObject } from '../apply/sync-plan.ts';
import type { HookManifest, HookSpec } from './split-hooks.ts';

/** A hook ready to run: where it goes and how to apply it, with its phases, wave, delete policies and timeout. */
export interface PlannedHook {
  planned: PlannedObject;
  spec: HookSpec;
}

/** Resolves each hook's kind on the cluster and prepares its manifest (tracking label and annotation, namespace). */
export async function planHooks(
  hooks: readonly HookManifest[],
  context: { app: string; cluster: ClusterClient; destinationNamespace: string | undefined },
): Promise<{ hooks: PlannedHook[] } | { failed: ObjectResult[] }> {
  const planned: PlannedHook[] = [];
  const failed: ObjectResult[] = [];
  for (const hook of hooks) {
    const { manifest } = hook;
    const { group, version } = splitApiVersion(manifest.apiVersion);
    const info = await context.cluster.discovery.find(manifest.apiVersion, manifest.kind);
    const name = manifest.metadata.name;
    if (!info) {
      const identity = { group, kind: manifest.kind, namespace: manifest.metadata.namespace, name };
      failed.push({ ...identity, outcome: 'failed', message: `${describeObject(identity)}: hook kind ${manifest.kind} in group ${group || 'core'} version ${version} is not served by cluster ${context.cluster.name}` });
      continue;
    }
    const namespace = info.namespaced ? (manifest.metadata.namespace || context.destinationNamespace || 'default') : undefined;
    const ref: ObjectRef = { group, version, kind: manifest.kind, namespace, name };
    planned.push({ planned: { ref, info, manifest: desiredManifest(manifest, context.app, ref, info.namespaced), wave: syncWaveOf(manifest) }, spec: hook.spec });
  }
  return failed.length > 0 ? { failed } : { hooks: planned };
}
