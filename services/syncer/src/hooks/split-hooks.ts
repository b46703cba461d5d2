import type { KubernetesObject, ObjectResult } from '@tidewater/queues';
import { splitApiVersion } from '../apply/object-ref.ts';
import { hookDeclarationOf, type HookDeclaration } from './hook-annotations.ts';

export type HookSpec = Extract<HookDeclaration, { kind: 'hook' }>;

/** A hook manifest of the bundle with its declaration; a `generateName` hook has been given its name. */
export interface HookManifest {
  manifest: KubernetesObject;
  spec: HookSpec;
}

export interface SplitBundle {
  /** Ordinary objects: applied, tracked in the inventory and pruned when they leave Git. */
  resources: KubernetesObject[];
  hooks: HookManifest[];
  /** `Skip` objects and hooks Tidewater does not run, with why (they appear in the sync result as skipped). */
  skipped: ObjectResult[];
}

const identityOf = (manifest: KubernetesObject) => ({
  group: splitApiVersion(manifest.apiVersion).group, kind: manifest.kind, namespace: manifest.metadata?.namespace, name: manifest.metadata?.name ?? manifest.metadata?.generateName as string,
});

/**
 * Separates hooks from the bundle's resources. Hooks are not part of the inventory (never pruned as "left Git").
 * A hook with `generateName` and no name is named `<generateName><revision[0:7]>-<phase>-<unix seconds>`, as
 * gitops-engine names it. PostDelete hooks and Helm hooks without an Argo CD equivalent are not run.
 */
export function splitHooks(objects: readonly KubernetesObject[], context: { revision: string; startedAt: Date }): SplitBundle {
  const split: SplitBundle = { resources: [], hooks: [], skipped: [] };
  for (const object of objects) {
    const declaration = object?.metadata ? hookDeclarationOf(object) : { kind: 'resource' as const };
    if (declaration.kind === 'resource') {
      split.resources.push(object);
      continue;
    }
    if (declaration.kind === 'skip') {
      split.skipped.push({ ...identityOf(object), outcome: 'skipped', message: declaration.reason });
      continue;
    }
    const runnable = declaration.phases.filter((phase) => phase !== 'PostDelete');
    if (runnable.length === 0) {
      const why = declaration.phases.includes('PostDelete')
        ? 'PostDelete hook not run: Tidewater does not delete applications, so there is no deletion to follow'
        : declaration.helmTypes.length > 0 && declaration.unknown.length === 0
          ? `Helm hook ${declaration.helmTypes.join(',')} not run: Argo CD has no equivalent`
          : `not applied: ${declaration.unknown.join('; ')} is not a hook type (PreSync, Sync, PostSync, SyncFail, PostDelete, Skip)`;
      split.skipped.push({ ...identityOf(object), outcome: 'skipped', message: why });
      continue;
    }
    const manifest = structuredClone(object);
    if (!manifest.metadata.name && typeof manifest.metadata.generateName === 'string') {
      const postfix = `${context.revision.slice(0, 7)}-${runnable[0]}-${Math.floor(context.startedAt.getTime() / 1000)}`.toLowerCase();
      manifest.metadata.name = `${manifest.metadata.generateName}${postfix}`;
      delete manifest.metadata.generateName;
    }
    split.hooks.push({ manifest, spec: { ...declaration, phases: runnable } });
  }
  return split;
}

/** Whether a rendered manifest is a hook or a skipped object rather than an ordinary resource (for live state and diff). */
export function isHookManifest(manifest: Pick<KubernetesObject, 'metadata'> | undefined): boolean {
  return manifest?.metadata !== undefined && hookDeclarationOf(manifest).kind !== 'resource';
}
