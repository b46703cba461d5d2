import type { Redis } from 'ioredis';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import type { ClusterClient, ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { trackingLabel } from '../apply/tracking.ts';
import { assessHealth, parseHealthRules } from '../health/index.ts';
import { readInventory } from '../prune/inventory.ts';
import { ControlRequestRefused } from './control-errors.ts';

/** An owner as a child's ownerReference names it (Argo CD's `parentRefs` entry). */
export interface ParentRef {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

/** A live object of the app: one it applied (`managed`) or one a controller made for it (a child). */
export interface LiveTreeNode {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  /** Owners among the app's objects and their children; empty for a managed object. */
  parentRefs: ParentRef[];
  health?: { status: string; message?: string };
  createdAt?: string;
}

export interface LiveTreeResult {
  kind: 'resource-tree';
  app: string;
  cluster: string;
  /** The app's own objects of the kinds that own others (with their uid). */
  managed: LiveTreeNode[];
  /** Objects owned, directly or through others, by the app's objects. */
  children: LiveTreeNode[];
}

export interface LiveTreeDeps {
  config: () => TidewaterConfig;
  clusters: ClusterRegistry;
  /** Reads the app's inventory (which namespaces it applied to). */
  redis: Redis;
}

interface ListedKind { group: string; version: string; kind: string; plural: string }

// Kinds that own the objects Argo CD shows below an application's resources.
const ownerKinds: ListedKind[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets' },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets' },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets' },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs' },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs' },
  { group: '', version: 'v1', kind: 'Service', plural: 'services' },
];
// Kinds controllers create for them (listed per namespace of the app's owners).
const childKinds: ListedKind[] = [
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets' },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods' },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs' },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions' },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices' },
];
// Owner chains are short (CronJob → Job → Pod, Deployment → ReplicaSet → Pod); stop well past them.
const maxDepth = 6;

interface KubeObject {
  metadata?: {
    name?: string; namespace?: string; uid?: string; creationTimestamp?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string }>;
  };
  [field: string]: unknown;
}

interface Listed { type: ListedKind; object: KubeObject }

const basePath = (type: ListedKind) => (type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`);

/** Lists one kind (cluster-wide or in one namespace); a kind the cluster does not serve lists nothing. */
export async function listObjects(transport: KubeTransport, type: ListedKind, options: { namespace?: string; query?: string }): Promise<Listed[]> {
  const scope = options.namespace ? `/namespaces/${encodeURIComponent(options.namespace)}` : '';
  const path = `${basePath(type)}${scope}/${type.plural}${options.query ? `?${options.query}` : ''}`;
  const response = await transport.request<{ items?: KubeObject[]; message?: string }>({ method: 'GET', path });
  if (response.status === 404) return [];
  if (response.status !== 200) {
    const reason = typeof response.body === 'object' && response.body?.message ? response.body.message : `HTTP ${response.status}`;
    throw new ExternalServiceError(`kubernetes cluster ${transport.clusterName}`, `cannot list ${type.plural} on cluster ${transport.clusterName}: ${reason}`);
  }
  return (response.body.items ?? []).map((object) => ({ type, object }));
}

export function applicationOrRefuse(config: TidewaterConfig, app: string): ArgoApplication {
  const application = config.applications.find((candidate) => candidate.metadata.name === app);
  if (!application) throw new ControlRequestRefused(`application ${app} is not in the configuration`);
  return application;
}

export function clusterOrRefuse(clusters: ClusterRegistry, application: ArgoApplication): ClusterClient {
  try {
    return clusters.forDestination(application.spec.destination);
  } catch (error) {
    throw new ControlRequestRefused(`application ${application.metadata.name}: ${(error as Error).message}`);
  }
}

function nodeOf(listed: Listed, parentRefs: ParentRef[], rules: ReturnType<typeof parseHealthRules>['rules']): LiveTreeNode {
  const { type, object } = listed;
  const metadata = object.metadata ?? {};
  const health = assessHealth({ apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind, ...object }, rules);
  return {
    group: type.group, version: type.version, kind: type.kind, ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    name: metadata.name ?? '', uid: metadata.uid ?? '', parentRefs,
    health: { status: health.status, ...(health.message ? { message: health.message } : {}) },
    ...(metadata.creationTimestamp ? { createdAt: metadata.creationTimestamp } : {}),
  };
}

/**
 * Argo CD's resource tree below an application's objects: its live owners (Deployments, StatefulSets, Jobs, Services
 * … carrying its tracking label, in the namespaces it applied to) and, in their namespaces, every ReplicaSet, Pod, Job, ControllerRevision and
 * EndpointSlice whose ownerReferences lead to one of them, each with its health. Read from the cluster on request:
 * the live-state watches select only the objects Tidewater applied.
 */
export async function readLiveTree(app: string, deps: LiveTreeDeps): Promise<LiveTreeResult> {
  const config = deps.config();
  const application = applicationOrRefuse(config, app);
  const cluster = clusterOrRefuse(deps.clusters, application);
  const rules = parseHealthRules(config.otherDocuments).rules;
  // Only the namespaces the app applied to (its inventory) and its destination: a namespaced Role is enough.
  const inventory = await readInventory(deps.redis, app);
  const appNamespaces = [...new Set([
    ...inventory.flatMap((entry) => (entry.cluster === cluster.name && entry.namespace ? [entry.namespace] : [])),
    ...(application.spec.destination.namespace ? [application.spec.destination.namespace] : []),
  ])].sort();
  const selector = `labelSelector=${encodeURIComponent(`${trackingLabel}=${app}`)}`;
  const owners = (await Promise.all(appNamespaces.flatMap((namespace) => ownerKinds.map((type) => listObjects(cluster.transport, type, { namespace, query: selector }))))).flat()
    .filter(({ object }) => object.metadata?.uid && object.metadata.labels?.[trackingLabel] === app);
  const namespaces = [...new Set(owners.flatMap(({ object }) => (object.metadata?.namespace ? [object.metadata.namespace] : [])))].sort();
  const candidates = (await Promise.all(namespaces.flatMap((namespace) => childKinds.map((type) => listObjects(cluster.transport, type, { namespace }))))).flat();

  const known = new Map<string, ParentRef>();
  for (const { type, object } of owners) {
    known.set(object.metadata!.uid!, { group: type.group, kind: type.kind, ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}), name: object.metadata?.name ?? '', uid: object.metadata!.uid! });
  }
  const managedUids = new Set(known.keys());
  const children: LiveTreeNode[] = [];
  const placed = new Set<string>();
  for (let depth = 0; depth < maxDepth; depth++) {
    let added = 0;
    for (const listed of candidates) {
      const uid = listed.object.metadata?.uid;
      if (!uid || placed.has(uid) || managedUids.has(uid)) continue;
      const parents = (listed.object.metadata?.ownerReferences ?? []).flatMap((ref) => (ref.uid && known.has(ref.uid) ? [known.get(ref.uid)!] : []));
      if (parents.length === 0) continue;
      placed.add(uid);
      added += 1;
      children.push(nodeOf(listed, parents, rules));
      known.set(uid, { group: listed.type.group, kind: listed.type.kind, ...(listed.object.metadata?.namespace ? { namespace: listed.object.metadata.namespace } : {}), name: listed.object.metadata?.name ?? '', uid });
    }
    if (added === 0) break;
  }
  children.sort((a, b) => `${a.namespace ?? ''}/${a.kind}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.kind}/${b.name}`));
  return { kind: 'resource-tree', app, cluster: cluster.name, managed: owners.map((listed) => nodeOf(listed, [], rules)), children };
}
