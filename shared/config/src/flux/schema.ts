import { z } from 'zod';
import { ObjectMeta } from '../schema/object-meta.ts';

// Flux's source and kustomize kinds as seed 001 writes them. `z.object` strips unknown keys, which the loader
// reports as unsupported-field warnings; fields that are read but not acted on are warned in translate.ts.

export const fluxGitRepositoryApiVersion = 'source.toolkit.fluxcd.io/v1';
export const fluxKustomizationApiVersion = 'kustomize.toolkit.fluxcd.io/v1';

const LocalRef = z.object({ name: z.string().min(1) });

export const GitRepositoryRef = z.object({
  branch: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  semver: z.string().min(1).optional(),
  commit: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
});

export const FluxGitRepository = z.object({
  apiVersion: z.literal(fluxGitRepositoryApiVersion),
  kind: z.literal('GitRepository'),
  metadata: ObjectMeta,
  spec: z.object({
    url: z.string().min(1),
    ref: GitRepositoryRef.optional(),
    interval: z.string().optional(),
    timeout: z.string().optional(),
    /** Names a Kubernetes Secret in Flux; in Tidewater it names the credential reference (see translate.ts). */
    secretRef: LocalRef.optional(),
    suspend: z.boolean().optional(),
  }),
});
export type FluxGitRepository = z.infer<typeof FluxGitRepository>;

const CrossNamespaceRef = z.object({ name: z.string().min(1), namespace: z.string().optional() });

export const FluxImage = z.object({
  name: z.string().min(1),
  newName: z.string().optional(),
  newTag: z.string().optional(),
  digest: z.string().optional(),
});

export const FluxKustomization = z.object({
  apiVersion: z.literal(fluxKustomizationApiVersion),
  kind: z.literal('Kustomization'),
  metadata: ObjectMeta,
  spec: z.object({
    sourceRef: z.object({ kind: z.string().min(1), name: z.string().min(1), namespace: z.string().optional() }),
    path: z.string().optional(),
    prune: z.boolean(),
    interval: z.string().optional(),
    retryInterval: z.string().optional(),
    targetNamespace: z.string().optional(),
    namePrefix: z.string().optional(),
    nameSuffix: z.string().optional(),
    images: z.array(FluxImage).optional(),
    patches: z.array(z.object({ patch: z.string(), target: z.record(z.string(), z.unknown()).optional() })).optional(),
    dependsOn: z.array(CrossNamespaceRef).optional(),
    healthChecks: z.array(z.object({ apiVersion: z.string().optional(), kind: z.string(), name: z.string(), namespace: z.string().optional() })).optional(),
    wait: z.boolean().optional(),
    timeout: z.string().optional(),
    suspend: z.boolean().optional(),
    force: z.boolean().optional(),
    postBuild: z
      .object({
        substitute: z.record(z.string(), z.string()).optional(),
        substituteFrom: z.array(z.object({ kind: z.string(), name: z.string(), optional: z.boolean().optional() })).optional(),
      })
      .optional(),
    /** Deprecated in Flux v1 (removed from the API); accepted and ignored with a warning. */
    validation: z.string().optional(),
  }),
});
export type FluxKustomization = z.infer<typeof FluxKustomization>;
