import type { Cluster } from '@tidewater/config';
import { kubeConfigFor } from './cluster-registry.ts';
import { createKubeTransport } from './kube-transport.ts';

export interface ClusterProbe {
  name: string;
  server: string;
  labels: Record<string, string>;
  reachable: boolean;
  /** The API server's gitVersion (`v1.33.4`) when reachable. */
  version?: string;
  /** Why it is not reachable: names the cluster and the failure, never a credential. */
  problem?: string;
}

/** Asks one cluster's API server for /version with its own credentials (kubeconfig, token, certificate, exec plugin). */
export async function probeCluster(cluster: Cluster, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ClusterProbe> {
  const base = { name: cluster.metadata.name, server: cluster.spec.server, labels: { ...cluster.metadata.labels, ...cluster.spec.labels } };
  let transport: ReturnType<typeof createKubeTransport> | undefined;
  try {
    transport = createKubeTransport({ clusterName: cluster.metadata.name, kubeConfig: kubeConfigFor(cluster, options.env), timeoutMs: options.timeoutMs ?? 5_000, maxSockets: 1 });
    const response = await transport.request<{ gitVersion?: string }>({ method: 'GET', path: '/version' });
    if (response.status !== 200) return { ...base, reachable: false, problem: `/version answered HTTP ${response.status}` };
    return { ...base, reachable: true, version: typeof response.body === 'object' ? response.body.gitVersion : undefined };
  } catch (error) {
    return { ...base, reachable: false, problem: (error as Error).message };
  } finally {
    transport?.close();
  }
}
