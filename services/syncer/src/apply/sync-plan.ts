import type { SyncOptions } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';
import type { ResourceInfo } from '../discovery/resource-discovery.ts';
import type { ObjectRef } from './object-ref.ts';
import { trackingAnnotation, trackingIdOf, trackingLabel } from './tracking.ts';

/** One object of a sync: where it goes, how the API serves it, and the manifest to apply. */
export interface PlannedObject {
  ref: ObjectRef;
  info: Pick<ResourceInfo, 'resource' | 'namespaced'>;
  /** The manifest as applied: destination namespace filled in, tracking label and annotation added. */
  manifest: KubernetesObject;
  wave: number;
  /** resourceVersion recorded by the previous sync; an apply that keeps it changed nothing. */
  previousResourceVersion?: string;
  /** The destination namespace created for CreateNamespace=true: applied, never tracked or pruned. */
  managedNamespace?: boolean;
  /** Effective sync options of this object (application, operation, then its sync-options annotation). */
  options?: SyncOptions;
  /** SkipDryRunOnMissingResource: the kind was not served when the sync was planned; resolved again at its wave. */
  unresolvedKind?: boolean;
}

export interface SyncStep {
  /** `namespaces` and `crds` run before every wave, whatever their sync-wave annotation says. */
  phase: 'namespaces' | 'crds' | 'wave';
  wave: number;
  objects: PlannedObject[];
}

/** Argo CD's (and Helm's) install order within a wave; kinds not listed go last. */
export const kindOrder: readonly string[] = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim',
  'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList',
  'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController',
  'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress',
  'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];

const kindRanks = new Map(kindOrder.map((kind, index) => [kind, index]));

/** Position of a kind in the install order (unlisted kinds after every listed one). */
export function kindRank(kind: string): number {
  return kindRanks.get(kind) ?? kindOrder.length;
}

export const isNamespace = (ref: Pick<ObjectRef, 'group' | 'kind'>) => ref.group === '' && ref.kind === 'Namespace';
export const isCustomResourceDefinition = (ref: Pick<ObjectRef, 'group' | 'kind'>) =>
  ref.group === 'apiextensions.k8s.io' && ref.kind === 'CustomResourceDefinition';

/** Install order for objects: kind rank, then kind, namespace and name so the order is stable. */
export function compareForInstall(a: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>, b: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): number {
  return kindRank(a.kind) - kindRank(b.kind)
    || a.kind.localeCompare(b.kind)
    || (a.namespace ?? '').localeCompare(b.namespace ?? '')
    || a.name.localeCompare(b.name);
}

/** Namespaces, then CRDs, then one step per sync wave in ascending order, each sorted by install order. */
export function orderSteps(objects: readonly PlannedObject[]): SyncStep[] {
  const namespaces: PlannedObject[] = [];
  const definitions: PlannedObject[] = [];
  const waves = new Map<number, PlannedObject[]>();
  for (const object of objects) {
    if (isNamespace(object.ref)) namespaces.push(object);
    else if (isCustomResourceDefinition(object.ref)) definitions.push(object);
    else {
      const wave = waves.get(object.wave) ?? [];
      wave.push(object);
      waves.set(object.wave, wave);
    }
  }
  const byInstallOrder = (a: PlannedObject, b: PlannedObject) => compareForInstall(a.ref, b.ref);
  const steps: SyncStep[] = [];
  if (namespaces.length) steps.push({ phase: 'namespaces', wave: Math.min(...namespaces.map((n) => n.wave)), objects: namespaces.sort(byInstallOrder) });
  if (definitions.length) steps.push({ phase: 'crds', wave: Math.min(...definitions.map((d) => d.wave)), objects: definitions.sort(byInstallOrder) });
  for (const wave of [...waves.keys()].sort((a, b) => a - b)) {
    steps.push({ phase: 'wave', wave, objects: waves.get(wave)!.sort(byInstallOrder) });
  }
  return steps;
}

// Server-populated fields that would turn an apply into an optimistic-concurrency update (or be rejected).
const serverOwnedMetadata = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink'];

/**
 * The manifest Tidewater applies for a rendered object: a copy with the destination namespace filled in
 * (namespaced kinds only), server-owned metadata dropped, and the tracking label and annotation set.
 */
export function desiredManifest(object: KubernetesObject, app: string, ref: ObjectRef, namespaced: boolean): KubernetesObject {
  const manifest = structuredClone(object);
  const metadata = manifest.metadata;
  for (const field of serverOwnedMetadata) delete metadata[field];
  if (namespaced) metadata.namespace = ref.namespace;
  else delete metadata.namespace;
  metadata.labels = { ...metadata.labels, [trackingLabel]: app };
  metadata.annotations = { ...metadata.annotations, [trackingAnnotation]: trackingIdOf(app, ref) };
  return manifest;
}
