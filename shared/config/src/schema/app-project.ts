import { z } from 'zod';
import { ObjectMeta } from './object-meta.ts';

/** A Kubernetes group/kind pair; both accept globs (`*`). The core group is `''`. */
export const GroupKind = z.object({
  group: z.string(),
  kind: z.string().min(1),
});
export type GroupKind = z.infer<typeof GroupKind>;

/** A permitted destination; each field is a glob, `!` negates. */
export const ProjectDestination = z.object({
  server: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
});
export type ProjectDestination = z.infer<typeof ProjectDestination>;

export const AppProjectSpec = z.object({
  description: z.string().optional(),
  /** Repository URL globs; `*` permits all, a `!` prefix denies. */
  sourceRepos: z.array(z.string()).optional(),
  destinations: z.array(ProjectDestination).optional(),
  /** Cluster-scoped kinds are denied unless listed here (an absent or empty list denies them all). */
  clusterResourceWhitelist: z.array(GroupKind).optional(),
  clusterResourceBlacklist: z.array(GroupKind).optional(),
  /** When present (even empty), only the listed namespaced kinds are permitted. */
  namespaceResourceWhitelist: z.array(GroupKind).optional(),
  namespaceResourceBlacklist: z.array(GroupKind).optional(),
  // Accepted as written; enforcing them belongs to the services that act on them.
  roles: z.array(z.unknown()).optional(),
  syncWindows: z.array(z.unknown()).optional(),
  orphanedResources: z.looseObject({}).optional(),
  sourceNamespaces: z.array(z.string()).optional(),
});
export type AppProjectSpec = z.infer<typeof AppProjectSpec>;

export const AppProject = z.object({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal('AppProject'),
  metadata: ObjectMeta,
  spec: AppProjectSpec.default({}),
});
export type AppProject = z.infer<typeof AppProject>;

/** The project Argo CD implies when none named `default` is defined: it permits everything. */
export function defaultAppProject(): AppProject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default' },
    spec: {
      description: 'Implied default project: permits every repository, destination and resource',
      sourceRepos: ['*'],
      destinations: [{ server: '*', name: '*', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };
}
