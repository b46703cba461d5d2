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
 * in each string value are replaced (an unset variable without a default becomes empty, as in Flux). `$VAR`
 * without braces is left alone; an object annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is
 * skipped. Flux substitutes the YAML text, keeping the source's quoting; the rendered objects no longer carry
 * it, so a value that is exactly one variable and becomes a number or boolean is typed as one, except where
 * Kubernetes wants strings (ConfigMap/Secret data, labels, annotations, env values).
 */
export function substituteVariables(objects: readonly KubernetesObject[], variables: Readonly<Record<string, string>>): KubernetesObject[] {
  const substitute = (text: string) =>
    text.replace(variable, (_whole, name: string, operator: string | undefined, fallback: string | undefined) => {
      const value = variables[name];
      if (value !== undefined && !(operator?.startsWith(':') && value === '')) return value;
      return operator ? (fallback ?? '') : '';
    });
  const typed = (text: string): unknown => {
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (text === 'true' || text === 'false') return text === 'true';
    return text;
  };
  return objects.map((object) => {
    const annotations = (object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
    if (annotations?.[disabledAnnotation] === 'disabled') return object;
    const keepsStrings = (path: readonly (string | number)[]) =>
      ((object.kind === 'ConfigMap' || object.kind === 'Secret') && (path[0] === 'data' || path[0] === 'stringData')) ||
      (path[0] === 'metadata' && (path[1] === 'labels' || path[1] === 'annotations')) ||
      path.includes('labels') || path.includes('annotations') ||
      (path.at(-1) === 'value' && path.at(-3) === 'env');
    const walk = (value: unknown, path: Array<string | number>): unknown => {
      if (typeof value === 'string') {
        if (!value.includes('${')) return value;
        const replaced = substitute(value);
        const single = /^\$\{[^}]+\}$/.test(value);
        return single && !keepsStrings(path) ? typed(replaced) : replaced;
      }
      if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
      if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [substitute(key), walk(inner, [...path, key])]));
      }
      return value;
    };
    return walk(object, []) as KubernetesObject;
  });
}
