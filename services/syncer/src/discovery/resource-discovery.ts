import type { V1APIGroupList, V1APIResourceList } from '@kubernetes/client-node';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { SyncFailure } from '../errors/sync-failure.ts';
import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { KubeResponse, KubeTransport } from '../clusters/kube-transport.ts';

/** How the API serves one kind at one group/version. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** URL segment (plural), e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
}

export interface ResourceDiscovery {
  /**
   * The resource serving `kind` at `apiVersion`. A miss refreshes the cached discovery once (a CRD may have
   * been installed since); undefined when the cluster still does not serve it.
   */
  find(apiVersion: string, kind: string): Promise<ResourceInfo | undefined>;
  /** The cached answer only, without asking the cluster. */
  cached(apiVersion: string, kind: string): ResourceInfo | undefined;
  /** Reads the API's discovery documents again (after applying CRDs). */
  refresh(): Promise<void>;
}

// Aggregated discovery (GA in Kubernetes 1.30): every group, version and resource in two requests.
const aggregatedAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope: 'Namespaced' | 'Cluster';
}
interface AggregatedDiscoveryList {
  kind: string;
  items?: { metadata?: { name?: string }; versions?: { version: string; resources?: AggregatedResource[] }[] }[];
}

const lookupKey = (apiVersion: string, kind: string) => `${apiVersion}|${kind}`;

/** Discovery cache for one cluster, shared by every sync to it. */
export function createResourceDiscovery(transport: KubeTransport): ResourceDiscovery {
  let resources: Map<string, ResourceInfo> | undefined;
  let refreshing: Promise<void> | undefined;

  async function get<T>(path: string, accept?: string): Promise<KubeResponse<T>> {
    const response = await transport.request<T>({ method: 'GET', path, accept });
    if (response.status === 200) return response;
    if (isRetryableStatus(response.status)) throw retryableStatusError(transport.clusterName, response, `API discovery (${path})`);
    throw new SyncFailure(`cluster ${transport.clusterName}: API discovery ${path} answered ${response.status}: ${statusMessage(response)}`);
  }

  function add(into: Map<string, ResourceInfo>, info: ResourceInfo) {
    const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    into.set(lookupKey(apiVersion, info.kind), info);
  }

  function addAggregated(into: Map<string, ResourceInfo>, list: AggregatedDiscoveryList) {
    for (const group of list.items ?? []) {
      const groupName = group.metadata?.name ?? '';
      for (const version of group.versions ?? []) {
        for (const resource of version.resources ?? []) {
          const kind = resource.responseKind?.kind;
          if (!kind || resource.resource.includes('/')) continue;
          add(into, { group: groupName, version: version.version, kind, resource: resource.resource, namespaced: resource.scope === 'Namespaced' });
        }
      }
    }
  }

  function addLegacy(into: Map<string, ResourceInfo>, group: string, version: string, list: V1APIResourceList) {
    for (const resource of list.resources) {
      if (resource.name.includes('/')) continue; // subresources (status, scale)
      add(into, { group, version, kind: resource.kind, resource: resource.name, namespaced: resource.namespaced });
    }
  }

  async function loadLegacy(into: Map<string, ResourceInfo>) {
    const [core, groups] = await Promise.all([
      get<V1APIResourceList>('/api/v1'),
      get<V1APIGroupList>('/apis'),
    ]);
    addLegacy(into, '', 'v1', core.body);
    const groupVersions = groups.body.groups.flatMap((group) => group.versions.map((version) => ({ group: group.name, version: version.version })));
    await Promise.all(groupVersions.map(async ({ group, version }) => {
      try {
        const list = await get<V1APIResourceList>(`/apis/${group}/${version}`);
        addLegacy(into, group, version, list.body);
      } catch (error) {
        // An unavailable aggregated API (metrics-server down) must not hide every other group.
        if (!(error instanceof ExternalServiceError)) throw error;
      }
    }));
  }

  async function load(): Promise<Map<string, ResourceInfo>> {
    const loaded = new Map<string, ResourceInfo>();
    const [core, groups] = await Promise.all([
      get<AggregatedDiscoveryList>('/api', aggregatedAccept),
      get<AggregatedDiscoveryList>('/apis', aggregatedAccept),
    ]);
    if (core.body.kind === 'APIGroupDiscoveryList' && groups.body.kind === 'APIGroupDiscoveryList') {
      addAggregated(loaded, core.body);
      addAggregated(loaded, groups.body);
    } else {
      await loadLegacy(loaded);
    }
    return loaded;
  }

  async function refresh(): Promise<void> {
    // Concurrent misses share one round of discovery requests.
    refreshing ??= load().then((loaded) => {
      resources = loaded;
    }).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  return {
    async find(apiVersion, kind) {
      const loadedNow = !resources;
      if (loadedNow) await refresh();
      const cached = resources?.get(lookupKey(apiVersion, kind));
      if (cached || loadedNow) return cached;
      await refresh();
      return resources?.get(lookupKey(apiVersion, kind));
    },
    cached: (apiVersion, kind) => resources?.get(lookupKey(apiVersion, kind)),
    refresh,
  };
}
