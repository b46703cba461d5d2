import { parse, stringify } from 'yaml';
import type { ArgoApplication } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';

/** Annotation the config loader sets on an Application translated from a Flux Kustomization with postBuild.substitute. */
export const substituteAnnotation = 'tidewater.dev/flux-post-build-substitute';
/** Flux's per-object opt-out. */
const disabledAnnotation = 'kustomize.toolkit.fluxcd.io/substitute';

const variable = /\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])([^}]*))?\}/g;

/** The substitution variables of an Application (from its Flux Kustomization), or undefined when it has none. */
export function substituteVariablesOf(app: ArgoApplication): Record<string, string> | undefined {
  const raw = app.metadata.annotations?.[substituteAnnotation];
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
}

/**
 * Flux's postBuild variable substitution on rendered objects: `${VAR}`, `${VAR:=default}` and `${VAR:-default}`
 * in each object's YAML are replaced (an unset variable without a default becomes empty, as in Flux), so a
 * substituted number or boolean becomes one. `$VAR` without braces is left alone; an object annotated
 * `kustomize.toolkit.fluxcd.io/substitute: disabled` is skipped.
 */
export function substituteVariables(objects: readonly KubernetesObject[], variables: Readonly<Record<string, string>>): KubernetesObject[] {
  return objects.map((object) => {
    const annotations = (object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
    if (annotations?.[disabledAnnotation] === 'disabled') return object;
    const text = stringify(object);
    if (!text.includes('${')) return object;
    const replaced = text.replace(variable, (_whole, name: string, operator: string | undefined, fallback: string | undefined) => {
      const value = variables[name];
      if (value !== undefined && !(operator?.startsWith(':') && value === '')) return value;
      return operator ? (fallback ?? '') : '';
    });
    return parse(replaced) as KubernetesObject;
  });
}
