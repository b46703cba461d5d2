import type { ArgoApplication } from '../schema/application.ts';
import { fluxDependsOnAnnotation, fluxKustomizationAnnotation } from './translate.ts';

/**
 * The Applications an Application translated from a Flux Kustomization depends on (its `spec.dependsOn`, by
 * Kustomization `namespace/name`), as Application names; a dependency not in `applications` is named as written
 * (the loader refuses undefined ones, so this only happens mid-reload). Empty for any other Application.
 */
export function fluxDependencies(application: ArgoApplication, applications: readonly ArgoApplication[]): string[] {
  const written = application.metadata.annotations?.[fluxDependsOnAnnotation];
  if (!written) return [];
  const byKustomization = new Map<string, string>();
  for (const candidate of applications) {
    const kustomization = candidate.metadata.annotations?.[fluxKustomizationAnnotation];
    if (kustomization) byKustomization.set(kustomization, candidate.metadata.name);
  }
  return written.split(',').filter(Boolean).map((dependency) => byKustomization.get(dependency) ?? dependency);
}
