import { ConfigError, configWarning, type ConfigLocation, type ConfigWarning } from '../errors.ts';
import { ArgoApplication } from '../schema/application.ts';
import type { Repository } from '../schema/tidewater.ts';
import { defaultFluxTimeoutMs, fluxReadinessAnnotation, parseFluxDuration, type FluxReadiness } from './readiness.ts';
import type { FluxGitRepository, FluxKustomization } from './schema.ts';

/** Annotation on an Application translated from a Flux Kustomization: `namespace/name` of that Kustomization. */
export const fluxKustomizationAnnotation = 'tidewater.dev/flux-kustomization';
/** Annotation carrying the Kustomization's dependsOn (`namespace/name,…`), checked for cycles at load. */
export const fluxDependsOnAnnotation = 'tidewater.dev/flux-depends-on';
/** Annotation carrying spec.patches (JSON) for the renderer, which applies them on top of the path. */
export const fluxPatchesAnnotation = 'tidewater.dev/flux-patches';
/** Annotation carrying postBuild.substitute (JSON) for the renderer's variable substitution. */
export const fluxSubstituteAnnotation = 'tidewater.dev/flux-post-build-substitute';

export interface LocatedFlux<T> {
  value: T;
  location: ConfigLocation;
}

export interface FluxTranslation {
  applications: Array<LocatedFlux<ArgoApplication>>;
  repositories: Array<LocatedFlux<Repository>>;
  errors: ConfigError[];
  warnings: ConfigWarning[];
}

const inCluster = 'https://kubernetes.default.svc';
const key = (namespace: string | undefined, name: string) => `${namespace ?? 'flux-system'}/${name}`;

/** Env variable holding the credential a GitRepository's secretRef names (Tidewater never reads Kubernetes Secrets). */
export const fluxSecretEnv = (secretName: string) => `TIDEWATER_SECRET_FLUX_${secretName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** Flux images entry → kustomize `images` string (`name=newName:newTag@digest`), as Argo CD writes it. */
function imageOverride(image: NonNullable<FluxKustomization['spec']['images']>[number]): string {
  let text = image.newName ? `${image.name}=${image.newName}` : image.name;
  if (image.newTag) text += `:${image.newTag}`;
  if (image.digest) text += `@${image.digest}`;
  return text;
}

/**
 * Flux's Ready rule of a Kustomization (wait, healthChecks, timeout — default its interval); undefined after
 * recording an error when a duration or a health check cannot be used. healthChecks under `wait: true` are
 * ignored, as Flux does, with a warning.
 */
function readinessOf(
  kustomization: FluxKustomization, location: ConfigLocation, result: FluxTranslation,
  warn: (location: ConfigLocation, field: string, detail: string) => void,
): FluxReadiness | undefined {
  const { spec, metadata } = kustomization;
  const at = (field: string): ConfigLocation => ({ ...location, field });
  let timeoutMs = defaultFluxTimeoutMs;
  for (const field of ['interval', 'timeout'] as const) {
    const written = spec[field];
    if (written === undefined) continue;
    const parsed = parseFluxDuration(written);
    if (parsed === undefined || parsed <= 0) {
      result.errors.push(new ConfigError(at(`spec.${field}`), `"${written}" is not a duration like "5m" or "1m30s"`));
      return undefined;
    }
    timeoutMs = parsed; // timeout, read last, wins over interval
  }
  const wait = spec.wait ?? false;
  const checks = spec.healthChecks ?? [];
  if (wait && checks.length > 0) {
    warn(location, 'spec.healthChecks', 'ignored because wait is true: every applied object must be Healthy (as Flux does)');
  }
  const healthChecks: FluxReadiness['healthChecks'] = [];
  if (!wait) {
    for (const [index, check] of checks.entries()) {
      if (!check.apiVersion) {
        result.errors.push(new ConfigError(at(`spec.healthChecks[${index}].apiVersion`), `health check ${check.kind} ${check.name} needs an apiVersion`));
        return undefined;
      }
      healthChecks.push({ apiVersion: check.apiVersion, kind: check.kind, name: check.name, namespace: check.namespace ?? metadata.namespace ?? 'default' });
    }
  }
  return { wait, healthChecks, timeoutMs };
}

/**
 * Translates Flux GitRepository + Kustomization documents into Tidewater Applications (one per
 * Kustomization, synced into the cluster Tidewater runs in, as Flux does) and, for a GitRepository with a
 * secretRef, a Repository whose credentialRef is the env variable `TIDEWATER_SECRET_FLUX_<NAME>`. Fields Tidewater
 * does not act on are warnings naming them; a dependsOn cycle is an error naming the cycle.
 */
export function translateFlux(
  gitRepositories: ReadonlyArray<LocatedFlux<FluxGitRepository>>,
  kustomizations: ReadonlyArray<LocatedFlux<FluxKustomization>>,
  existingRepositories: readonly Repository[],
): FluxTranslation {
  const result: FluxTranslation = { applications: [], repositories: [], errors: [], warnings: [] };
  const at = (location: ConfigLocation, field: string): ConfigLocation => ({ ...location, field });
  const warn = (location: ConfigLocation, field: string, detail: string) => result.warnings.push(configWarning(at(location, field), detail));
  const sources = new Map<string, LocatedFlux<FluxGitRepository>>();

  for (const source of gitRepositories) {
    const { spec, metadata } = source.value;
    sources.set(key(metadata.namespace, metadata.name), source);
    if (spec.ref?.semver) {
      result.errors.push(new ConfigError(at(source.location, 'spec.ref.semver'), 'semver ranges of Git tags are not supported by Tidewater: pin spec.ref.tag or follow spec.ref.branch'));
    }
    if (spec.ref?.name) warn(source.location, 'spec.ref.name', 'ref.name is not supported by Tidewater and is ignored; use branch, tag or commit');
    if (spec.interval) warn(source.location, 'spec.interval', 'Tidewater fetches on each push webhook; the interval is not used (the periodic reconcile, TIDEWATER_RECONCILE_INTERVAL_MS, is the fallback)');
    if (spec.timeout) warn(source.location, 'spec.timeout', 'field is not supported by Tidewater and is ignored');
    if (spec.suspend) warn(source.location, 'spec.suspend', 'a suspended GitRepository is not supported; suspend its Kustomizations instead');
    if (spec.secretRef && !existingRepositories.some((repository) => repository.spec.url === spec.url)) {
      result.repositories.push({
        location: source.location,
        value: {
          apiVersion: 'tidewater.dev/v1alpha1',
          kind: 'Repository',
          metadata: { name: `flux-${metadata.name}` },
          spec: { url: spec.url, credentialRef: { env: fluxSecretEnv(spec.secretRef.name) } },
        },
      });
    }
  }

  const dependencies = new Map<string, string[]>();
  const locations = new Map<string, ConfigLocation>();
  for (const kustomization of kustomizations) {
    const { spec, metadata } = kustomization.value;
    const location = kustomization.location;
    const self = key(metadata.namespace, metadata.name);
    locations.set(self, location);
    dependencies.set(self, (spec.dependsOn ?? []).map((dependency) => key(dependency.namespace ?? metadata.namespace, dependency.name)));
    if (spec.sourceRef.kind !== 'GitRepository') {
      result.errors.push(new ConfigError(at(location, 'spec.sourceRef.kind'), `sourceRef kind ${spec.sourceRef.kind} is not supported (supported: GitRepository)`));
      continue;
    }
    const source = sources.get(key(spec.sourceRef.namespace ?? metadata.namespace, spec.sourceRef.name));
    if (!source) {
      result.errors.push(new ConfigError(at(location, 'spec.sourceRef.name'), `GitRepository ${spec.sourceRef.name} is not defined in the configuration`));
      continue;
    }
    const ref = source.value.spec.ref;
    const targetRevision = ref?.commit ?? ref?.tag ?? ref?.branch ?? 'HEAD';
    const path = (spec.path ?? '').replace(/^\.\/?/, '') || '.';
    if (spec.interval) warn(location, 'spec.interval', 'Tidewater syncs on each push and self-heals drift from watches; the interval is not used for syncing (the periodic reconcile is the fallback), only as the default health-check timeout');
    if (spec.retryInterval) warn(location, 'spec.retryInterval', 'field is not supported by Tidewater and is ignored (failed syncs retry with backoff)');
    if (spec.force) warn(location, 'spec.force', 'field is not supported by Tidewater and is ignored');
    if (spec.validation) warn(location, 'spec.validation', 'field was removed from Flux v1 and is ignored');
    if (spec.postBuild?.substituteFrom?.length) warn(location, 'spec.postBuild.substituteFrom', 'variables from ConfigMaps/Secrets are not supported and are NOT substituted; use postBuild.substitute');
    const readiness = readinessOf(kustomization.value, location, result, warn);
    if (!readiness) continue;
    const annotations: Record<string, string> = { [fluxKustomizationAnnotation]: self, [fluxReadinessAnnotation]: JSON.stringify(readiness) };
    if (spec.dependsOn?.length) annotations[fluxDependsOnAnnotation] = (dependencies.get(self) ?? []).join(',');
    if (spec.patches?.length) annotations[fluxPatchesAnnotation] = JSON.stringify(spec.patches);
    if (spec.postBuild?.substitute && Object.keys(spec.postBuild.substitute).length > 0) {
      annotations[fluxSubstituteAnnotation] = JSON.stringify(spec.postBuild.substitute);
    }
    const kustomize = {
      ...(spec.namePrefix ? { namePrefix: spec.namePrefix } : {}),
      ...(spec.nameSuffix ? { nameSuffix: spec.nameSuffix } : {}),
      ...(spec.targetNamespace ? { namespace: spec.targetNamespace } : {}),
      ...(spec.images?.length ? { images: spec.images.map(imageOverride) } : {}),
    };
    const application = ArgoApplication.parse({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      // Flux garbage-collects a pruning Kustomization's objects when it is deleted: Argo CD's cascade finalizer.
      metadata: { name: metadata.name, annotations, ...(spec.prune ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}) },
      spec: {
        project: 'default',
        source: { repoURL: source.value.spec.url, targetRevision, path, ...(Object.keys(kustomize).length ? { kustomize } : {}) },
        destination: { server: inCluster, namespace: spec.targetNamespace ?? metadata.namespace ?? 'default' },
        // Flux applies and corrects drift on its own unless suspended; suspend leaves manual syncs only.
        syncPolicy: { ...(spec.suspend ? {} : { automated: { prune: spec.prune, selfHeal: true } }), syncOptions: ['CreateNamespace=true'] },
      },
    });
    result.applications.push({ value: application, location });
  }

  for (const cycle of dependencyCycles(dependencies)) {
    const first = locations.get(cycle[0]) as ConfigLocation;
    result.errors.push(new ConfigError(at(first, 'spec.dependsOn'), `dependsOn forms a cycle: ${[...cycle, cycle[0]].join(' → ')}`));
  }
  for (const [self, wanted] of dependencies) {
    for (const dependency of wanted) {
      if (!dependencies.has(dependency)) result.errors.push(new ConfigError(at(locations.get(self) as ConfigLocation, 'spec.dependsOn'), `Kustomization ${dependency} is not defined`));
    }
  }
  // A Kustomization in a cycle is refused, not translated.
  const inCycle = new Set(dependencyCycles(dependencies).flat());
  result.applications = result.applications.filter((application) => !inCycle.has(application.value.metadata.annotations?.[fluxKustomizationAnnotation] ?? ''));
  return result;
}

/** Each elementary cycle once (by its smallest member first), found with a depth-first search. */
export function dependencyCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(rotated.join('>'), rotated);
      } else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}
