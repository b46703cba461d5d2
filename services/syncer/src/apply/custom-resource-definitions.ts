import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { KubernetesObject } from '@tidewater/queues';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import type { ResourceDiscovery, ResourceInfo } from '../discovery/resource-discovery.ts';

/** A kind a CRD of the bundle will serve, keyed like discovery: `<apiVersion>|<kind>`. */
export type DefinedKinds = Map<string, ResourceInfo>;

export const definedKindKey = (apiVersion: string, kind: string) => `${apiVersion}|${kind}`;

/** The kinds the bundle's CRDs define (served versions), so their objects can be checked before the CRDs exist. */
export function kindsDefinedBy(definitions: readonly KubernetesObject[]): DefinedKinds {
  const kinds: DefinedKinds = new Map();
  for (const object of definitions) {
    const spec = (object as unknown as V1CustomResourceDefinition).spec;
    if (!spec?.group || !spec.names?.kind || !spec.names.plural) continue;
    for (const version of spec.versions ?? []) {
      if (version.served === false) continue;
      kinds.set(definedKindKey(`${spec.group}/${version.name}`, spec.names.kind), {
        group: spec.group, version: version.name, kind: spec.names.kind, resource: spec.names.plural, namespaced: spec.scope !== 'Cluster',
      });
    }
  }
  return kinds;
}

export type EstablishedResult = { established: true } | { established: false; message: string };

/**
 * Waits until the API server serves a just-applied CRD (`Established=True`). A name conflict
 * (`NamesAccepted=False`) is a permanent failure; a CRD that never settles is retried as a whole sync.
 */
export async function waitForEstablished(
  transport: KubeTransport,
  name: string,
  { timeoutMs = 60_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<EstablishedResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await transport.request<V1CustomResourceDefinition>({
      method: 'GET', path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`,
    });
    if (response.status === 200) {
      const conditions = response.body.status?.conditions ?? [];
      if (conditions.some((condition) => condition.type === 'Established' && condition.status === 'True')) return { established: true };
      const namesRejected = conditions.find((condition) => condition.type === 'NamesAccepted' && condition.status === 'False');
      if (namesRejected) return { established: false, message: `CustomResourceDefinition ${name} names not accepted: ${namesRejected.message ?? namesRejected.reason}` };
    } else if (isRetryableStatus(response.status)) {
      throw retryableStatusError(transport.clusterName, response, `reading CustomResourceDefinition ${name}`);
    } else if (response.status !== 404) {
      return { established: false, message: `CustomResourceDefinition ${name}: ${response.status} ${statusMessage(response)}` };
    }
    if (Date.now() > deadline) {
      throw new ExternalServiceError(`kubernetes cluster ${transport.clusterName}`, `cluster ${transport.clusterName}: CustomResourceDefinition ${name} was not Established within ${timeoutMs} ms`);
    }
    await new Promise((resolveLater) => setTimeout(resolveLater, intervalMs));
  }
}

/**
 * Refreshes discovery until it lists the kinds just established (aggregated discovery lags a moment behind
 * the CRD). Gives up quietly after `timeoutMs`: applies use the CRD's own names either way.
 */
export async function refreshUntilServed(
  discovery: ResourceDiscovery,
  kinds: readonly ResourceInfo[],
  { timeoutMs = 10_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await discovery.refresh();
    if (kinds.every((kind) => discovery.cached(`${kind.group}/${kind.version}`, kind.kind))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolveLater) => setTimeout(resolveLater, intervalMs));
  }
}
