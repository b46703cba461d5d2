import { configWarning, type ConfigWarning } from '../errors.ts';
import type { TidewaterConfig } from '../build-config.ts';
import { imagePoliciesFromAnnotations } from './argocd-image-updater.ts';
import type { ImagePolicy } from './image-policy.ts';

/**
 * The image policies of a configuration once ApplicationSets have generated their Applications: Image Updater
 * annotations in an ApplicationSet's template (seed 002's pattern) make policies for each generated Application,
 * named by the ApplicationSet's location. Policies of written Applications, Flux and Tidewater documents are kept.
 */
export function withGeneratedImagePolicies(config: TidewaterConfig): { policies: ImagePolicy[]; warnings: ConfigWarning[] } {
  const written = new Set((config.writtenApplications ?? config.applications).map((application) => application.metadata.name));
  const kept = (config.imagePolicies ?? []).filter((policy) => policy.origin !== 'argocd-image-updater' || written.has(policy.app));
  const policies = [...kept];
  const warnings: ConfigWarning[] = [];
  for (const application of config.applications) {
    const name = application.metadata.name;
    if (written.has(name)) continue;
    const generated = imagePoliciesFromAnnotations(application);
    // An Image Updater v1 ImageUpdater resource may already have made this app's policies: never twice.
    const ids = new Set(policies.map((policy) => policy.id));
    policies.push(...generated.policies.filter((policy) => !ids.has(policy.id)));
    const location = config.applicationLocations?.[name];
    if (!location) continue;
    for (const finding of generated.warnings) {
      warnings.push(configWarning({ ...location, field: `spec.template.metadata.annotations[${finding.annotation}]` }, `${name}: ${finding.detail}`));
    }
  }
  return { policies, warnings };
}
