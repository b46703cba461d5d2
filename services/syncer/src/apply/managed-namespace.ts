import type { ArgoApplication } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';
import type { PlannedObject } from './sync-plan.ts';
import { trackingLabel } from './tracking.ts';

/**
 * The destination namespace for CreateNamespace=true, with `spec.syncPolicy.managedNamespaceMetadata` labels and
 * annotations (server-side applied, so labels others set on an existing namespace stay). Applied, never pruned.
 */
export function managedNamespace(application: ArgoApplication, name: string, previousResourceVersion: string | undefined): PlannedObject {
  const app = application.metadata.name;
  const metadata = application.spec.syncPolicy?.managedNamespaceMetadata;
  const manifest: KubernetesObject = {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: {
      name,
      labels: { ...metadata?.labels, [trackingLabel]: app },
      ...(metadata?.annotations && Object.keys(metadata.annotations).length > 0 ? { annotations: { ...metadata.annotations } } : {}),
    },
  };
  return { ref: { group: '', version: 'v1', kind: 'Namespace', name }, info: { resource: 'namespaces', namespaced: false }, manifest, wave: 0, previousResourceVersion, managedNamespace: true };
}
