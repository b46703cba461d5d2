import { z } from 'zod';
import { ObjectMeta } from './object-meta.ts';
import { SecretRef, secretRefProblem } from './secret-ref.ts';

// Tidewater's own kinds are strict: an unknown field is an error (most likely a typo), not a warning.

export const tidewaterApiVersion = 'tidewater.dev/v1alpha1';

export const GitProvider = z.enum(['github', 'gitlab', 'gitea', 'bitbucket']);
export type GitProvider = z.infer<typeof GitProvider>;

export const RepositorySpec = z.strictObject({
  url: z.string().min(1),
  provider: GitProvider.optional(),
  /** Webhook secret; a list accepts any of several during rotation. */
  webhookSecretRef: z
    .union([SecretRef, z.array(SecretRef).min(1)], {
      error: (issue) => (Array.isArray(issue.input) ? 'expected a list of env: or file: references' : secretRefProblem(issue.input)),
    })
    .optional(),
  /** Git credentials (token or SSH key) used to read and write the repository. */
  credentialRef: SecretRef.optional(),
  /**
   * Let kustomizations in this repository reference remote bases (`github.com/...`, `https://...`, `git::`,
   * `ssh://`), which kustomize then fetches from the network at render time. Off by default.
   */
  allowRemoteBases: z.boolean().optional(),
  /** Let the renderer fetch this repository over `file://` or from a local path. Off by default. */
  allowLocalTransport: z.boolean().optional(),
});
export type RepositorySpec = z.infer<typeof RepositorySpec>;

export const Repository = z.object({
  apiVersion: z.literal(tidewaterApiVersion),
  kind: z.literal('Repository'),
  metadata: ObjectMeta,
  spec: RepositorySpec,
});
export type Repository = z.infer<typeof Repository>;

export const ClusterSpec = z.strictObject({
  /** Kubernetes API URL; Applications target it by this URL or by the Cluster's metadata.name. */
  server: z.string().min(1),
  /** A kubeconfig file, or an env var holding kubeconfig YAML. */
  kubeconfigRef: SecretRef.optional(),
  /** Context to use within the kubeconfig; its current-context when absent. */
  context: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  /** Skip TLS verification of the API server. */
  insecure: z.boolean().optional(),
  /** Without a kubeconfig: a bearer token (e.g. a ServiceAccount token) for `server`. */
  bearerTokenRef: SecretRef.optional(),
  /** Without a kubeconfig: a client certificate and its key (PEM) for `server`. */
  clientCertificateRef: SecretRef.optional(),
  clientKeyRef: SecretRef.optional(),
  /** The CA (PEM) that signed the API server's certificate, when it is not a public one. */
  caRef: SecretRef.optional(),
});
export type ClusterSpec = z.infer<typeof ClusterSpec>;

export const Cluster = z.object({
  apiVersion: z.literal(tidewaterApiVersion),
  kind: z.literal('Cluster'),
  metadata: ObjectMeta,
  spec: ClusterSpec,
});
export type Cluster = z.infer<typeof Cluster>;

/** Tidewater kinds owned by a service other than the loader: kept raw in `otherDocuments` for that service to validate. */
export const laterTidewaterKinds: readonly string[] = ['ImagePolicy', 'NotificationChannel', 'HealthRule', 'AuditSink'];

/** Webhook secret references as a list, whichever form was written. */
export function webhookSecretRefsOf(repository: Repository): SecretRef[] {
  const refs = repository.spec.webhookSecretRef;
  if (refs === undefined) return [];
  return Array.isArray(refs) ? refs : [refs];
}
