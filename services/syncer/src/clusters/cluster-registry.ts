import { KubeConfig } from '@kubernetes/client-node';
import { resolveSecret, SecretRefError, type Cluster, type TidewaterConfig } from '@tidewater/config';
import { SyncFailure } from '../errors/sync-failure.ts';
import { createResourceDiscovery, type ResourceDiscovery } from '../discovery/resource-discovery.ts';
import { createKubeTransport, type KubeTransport } from './kube-transport.ts';

/** Argo CD's address for "the cluster Tidewater runs in". */
export const inClusterServer = 'https://kubernetes.default.svc';
export const inClusterName = 'in-cluster';

/** Everything the syncer needs to talk to one cluster; built once per Cluster document and reused. */
export interface ClusterClient {
  /** The Cluster document's metadata.name (`in-cluster` for the pod's own cluster). */
  readonly name: string;
  /** The Cluster document's spec.server. */
  readonly server: string;
  readonly kubeConfig: KubeConfig;
  readonly transport: KubeTransport;
  readonly discovery: ResourceDiscovery;
}

export interface ClusterRegistry {
  /** The cluster an Application's destination names (by Cluster name or server URL); throws SyncFailure when none does. */
  forDestination(destination: { server?: string; name?: string }): ClusterClient;
  /** The cluster with this Cluster name (inventories refer to clusters by name), or undefined when it is gone. */
  byName(name: string): ClusterClient | undefined;
  close(): void;
}

export interface ClusterRegistryOptions {
  /** Environment for `env:` kubeconfig references and in-cluster detection (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** One KubeConfig, transport and discovery cache per Cluster document, rebuilt when the document changes. */
export function createClusterRegistry(
  config: TidewaterConfig | (() => TidewaterConfig),
  options: ClusterRegistryOptions = {},
): ClusterRegistry {
  const currentConfig = typeof config === 'function' ? config : () => config;
  const env = options.env ?? process.env;
  const clients = new Map<string, { fingerprint: string; client: ClusterClient }>();
  const runningInPod = () => Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT);

  function clientFor(name: string, fingerprint: string, build: () => KubeConfig, server: string): ClusterClient {
    const cached = clients.get(name);
    if (cached?.fingerprint === fingerprint) return cached.client;
    cached?.client.transport.close();
    const kubeConfig = build();
    const transport = createKubeTransport({ clusterName: name, kubeConfig });
    const client: ClusterClient = { name, server, kubeConfig, transport, discovery: createResourceDiscovery(transport) };
    clients.set(name, { fingerprint, client });
    return client;
  }

  function fromDocument(cluster: Cluster): ClusterClient {
    return clientFor(cluster.metadata.name, JSON.stringify(cluster.spec), () => kubeConfigFor(cluster, env), cluster.spec.server);
  }

  function inCluster(): ClusterClient {
    return clientFor(inClusterName, 'in-cluster', () => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromCluster();
      return kubeConfig;
    }, inClusterServer);
  }

  return {
    forDestination(destination) {
      const clusters = currentConfig().clusters;
      if (destination.name) {
        const named = clusters.find((cluster) => cluster.metadata.name === destination.name);
        if (named) return fromDocument(named);
        if (destination.name === inClusterName && runningInPod()) return inCluster();
        throw new SyncFailure(`destination cluster ${destination.name} is unknown: no Cluster document is named ${destination.name}`);
      }
      if (destination.server) {
        const server = trimSlash(destination.server);
        const matching = clusters.find((cluster) => trimSlash(cluster.spec.server) === server);
        if (matching) return fromDocument(matching);
        if (server === inClusterServer) {
          const named = clusters.find((cluster) => cluster.metadata.name === inClusterName);
          if (named) return fromDocument(named);
          if (runningInPod()) return inCluster();
        }
        throw new SyncFailure(`destination server ${destination.server} is unknown: no Cluster document has spec.server ${destination.server}`);
      }
      throw new SyncFailure('the application has no destination server or name');
    },
    byName(name) {
      const named = currentConfig().clusters.find((cluster) => cluster.metadata.name === name);
      if (named) return fromDocument(named);
      if (name === inClusterName && runningInPod()) return inCluster();
      return undefined;
    },
    close() {
      for (const { client } of clients.values()) client.transport.close();
      clients.clear();
    },
  };
}

/**
 * KubeConfig for a Cluster document: `kubeconfigRef.file` is a kubeconfig path; `kubeconfigRef.env` holds
 * kubeconfig YAML or a path to one; without a reference, the default kubeconfig (KUBECONFIG, ~/.kube/config)
 * or the pod's service account. `spec.context` picks a context; `spec.insecure` skips TLS verification.
 */
export function kubeConfigFor(cluster: Cluster, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const name = cluster.metadata.name;
  const kubeConfig = new KubeConfig();
  const ref = cluster.spec.kubeconfigRef;
  let source = 'the default kubeconfig';
  const direct = cluster.spec.bearerTokenRef ?? cluster.spec.clientCertificateRef ?? cluster.spec.clientKeyRef;
  if (direct) {
    if (ref) throw new SyncFailure(`cluster ${name}: give either kubeconfigRef or bearerTokenRef / clientCertificateRef, not both`);
    return directKubeConfig(cluster, env);
  }
  try {
    if (ref && 'file' in ref) {
      source = `kubeconfig file ${ref.file}`;
      resolveSecret(ref, env); // only a file inside this process's secret directories (symlinks resolved)
      kubeConfig.loadFromFile(ref.file);
    } else if (ref) {
      source = `kubeconfig in env ${ref.env}`;
      const value = resolveSecret(ref, env);
      if (/\n/.test(value) || /^\s*(apiVersion|kind|clusters)\s*:/.test(value)) {
        kubeConfig.loadFromString(value);
      } else {
        source = `kubeconfig file ${value} (from env ${ref.env})`;
        kubeConfig.loadFromFile(value);
      }
    } else {
      kubeConfig.loadFromDefault();
    }
  } catch (error) {
    // Parser messages may quote the document, which holds credentials: name the source and the error code only.
    const code = (error as NodeJS.ErrnoException).code;
    const problem = error instanceof SecretRefError ? error.message : code ? `cannot be read (${code})` : 'is not a valid kubeconfig';
    throw new SyncFailure(`cluster ${name}: ${error instanceof SecretRefError ? '' : `${source} `}${problem}`, { cause: error });
  }
  if (cluster.spec.context) {
    if (!kubeConfig.getContextObject(cluster.spec.context)) {
      throw new SyncFailure(`cluster ${name}: kubeconfig has no context ${cluster.spec.context}`);
    }
    kubeConfig.setCurrentContext(cluster.spec.context);
  }
  const current = kubeConfig.getCurrentCluster();
  if (!current) throw new SyncFailure(`cluster ${name}: kubeconfig has no current context with a cluster`);
  if (cluster.spec.insecure) {
    const clusters = kubeConfig.getClusters().map((entry) => (entry.name === current.name ? { ...entry, skipTLSVerify: true } : entry));
    kubeConfig.loadFromOptions({
      clusters, users: kubeConfig.getUsers(), contexts: kubeConfig.getContexts(), currentContext: kubeConfig.getCurrentContext(),
    });
  }
  return kubeConfig;
}

/**
 * KubeConfig from a Cluster's own credential references: a bearer token, or a client certificate with its
 * key, for `spec.server`, with `caRef` (or the system CAs) to verify it. Values are read here and never logged.
 */
function directKubeConfig(cluster: Cluster, env: NodeJS.ProcessEnv): KubeConfig {
  const name = cluster.metadata.name;
  const { bearerTokenRef, clientCertificateRef, clientKeyRef, caRef } = cluster.spec;
  if (Boolean(clientCertificateRef) !== Boolean(clientKeyRef)) {
    throw new SyncFailure(`cluster ${name}: clientCertificateRef and clientKeyRef go together`);
  }
  const read = (secretRef: NonNullable<typeof caRef>, field: string) => {
    try {
      return resolveSecret(secretRef, env);
    } catch (error) {
      throw new SyncFailure(`cluster ${name}: spec.${field}: ${(error as Error).message}`, { cause: error });
    }
  };
  const base64 = (text: string) => Buffer.from(text.endsWith('\n') ? text : `${text}\n`).toString('base64');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{
      name, server: cluster.spec.server, skipTLSVerify: cluster.spec.insecure ?? false,
      ...(caRef ? { caData: base64(read(caRef, 'caRef')) } : {}),
    }],
    users: [{
      name,
      ...(bearerTokenRef ? { token: read(bearerTokenRef, 'bearerTokenRef') } : {}),
      ...(clientCertificateRef && clientKeyRef
        ? { certData: base64(read(clientCertificateRef, 'clientCertificateRef')), keyData: base64(read(clientKeyRef, 'clientKeyRef')) }
        : {}),
    }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kubeConfig;
}
