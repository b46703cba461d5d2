import { applicationOrRefuse, clusterOrRefuse, listObjects, readLiveTree, type LiveTreeDeps } from './live-tree.ts';

/** A Kubernetes Event as Argo CD's events route answers it (core/v1 fields; events.k8s.io fields folded in). */
export interface KubeEvent {
  metadata: { name: string; namespace?: string; uid?: string };
  involvedObject: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  source?: { component?: string; host?: string };
}

export interface KubeEventsResult {
  kind: 'events';
  app: string;
  items: KubeEvent[];
}

export interface KubeEventsRequest {
  app: string;
  resourceName?: string;
  resourceNamespace?: string;
  resourceUID?: string;
}

interface RawEvent {
  metadata?: { name?: string; namespace?: string; uid?: string; creationTimestamp?: string };
  involvedObject?: KubeEvent['involvedObject'];
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: KubeEvent['source'];
  reportingComponent?: string;
  reportingInstance?: string;
}

const eventType = { group: '', version: 'v1', kind: 'Event', plural: 'events' };

function eventOf(raw: RawEvent): KubeEvent {
  // Events written through events.k8s.io/v1 (kube-controller-manager's) leave the core timestamps empty.
  const first = raw.firstTimestamp || raw.eventTime || raw.metadata?.creationTimestamp || undefined;
  const last = raw.lastTimestamp || raw.series?.lastObservedTime || raw.eventTime || first;
  const component = raw.source?.component || raw.reportingComponent || undefined;
  return {
    metadata: { name: raw.metadata?.name ?? '', ...(raw.metadata?.namespace ? { namespace: raw.metadata.namespace } : {}), ...(raw.metadata?.uid ? { uid: raw.metadata.uid } : {}) },
    involvedObject: raw.involvedObject ?? {},
    ...(raw.reason ? { reason: raw.reason } : {}),
    ...(raw.message ? { message: raw.message } : {}),
    ...(raw.type ? { type: raw.type } : {}),
    count: raw.series?.count ?? (raw.count || 1),
    ...(first ? { firstTimestamp: first } : {}),
    ...(last ? { lastTimestamp: last } : {}),
    ...(component ? { source: { component, ...(raw.source?.host ? { host: raw.source.host } : {}) } } : {}),
  };
}

/**
 * Kubernetes Events of an application's live objects (`argocd app get --show-events`, the resource drawer's Events):
 * of one resource when `resourceName` is given, else of every object in its tree. Only events whose involved object
 * is one of the app's objects or their children are answered, whatever namespace or name is asked for, so a viewer
 * of one application cannot read another's events through it. Newest first.
 */
export async function readKubeEvents(request: KubeEventsRequest, deps: LiveTreeDeps): Promise<KubeEventsResult> {
  const application = applicationOrRefuse(deps.config(), request.app);
  const cluster = clusterOrRefuse(deps.clusters, application);
  const tree = await readLiveTree(request.app, deps);
  const uids = new Set([...tree.managed, ...tree.children].map((node) => node.uid));
  const namespaces = new Set([...tree.managed, ...tree.children].flatMap((node) => (node.namespace ? [node.namespace] : [])));
  let listed: RawEvent[];
  if (request.resourceName) {
    const namespace = request.resourceNamespace || application.spec.destination.namespace;
    if (!namespace || !namespaces.has(namespace)) return { kind: 'events', app: request.app, items: [] };
    const fields = [`involvedObject.name=${request.resourceName}`, ...(request.resourceUID ? [`involvedObject.uid=${request.resourceUID}`] : [])];
    listed = (await listObjects(cluster.transport, eventType, { namespace, query: `fieldSelector=${encodeURIComponent(fields.join(','))}` }))
      .map(({ object }) => object as RawEvent);
  } else {
    listed = (await Promise.all([...namespaces].map((namespace) => listObjects(cluster.transport, eventType, { namespace })))).flat()
      .map(({ object }) => object as RawEvent);
  }
  const items = listed.filter((raw) => raw.involvedObject?.uid && uids.has(raw.involvedObject.uid)).map(eventOf)
    .sort((a, b) => (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''));
  return { kind: 'events', app: request.app, items };
}
