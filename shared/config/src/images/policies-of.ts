import type { TidewaterConfig } from '../build-config.ts';
import { imagePoliciesFromAnnotations } from './argocd-image-updater.ts';
import { normaliseImageName, type ImagePolicy } from './image-policy.ts';

const derived = new WeakMap<TidewaterConfig, ImagePolicy[]>();

/** The configuration's image policies: those the loader collected, or (for a config built by hand) the annotations'. */
export function imagePoliciesOf(config: TidewaterConfig): ImagePolicy[] {
  if (config.imagePolicies) return config.imagePolicies;
  let policies = derived.get(config);
  if (!policies) {
    policies = config.applications.flatMap((application) => imagePoliciesFromAnnotations(application).policies);
    derived.set(config, policies);
  }
  return policies;
}

/** The enabled policies that watch `image` (any reference form: `host/repo`, `repo`, with or without a tag). */
export function policiesWatching(config: TidewaterConfig, image: string): ImagePolicy[] {
  const wanted = normaliseImageName(image);
  return imagePoliciesOf(config).filter((policy) => policy.disabledReason === undefined && policy.image === wanted);
}
