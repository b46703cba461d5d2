import type { ArgoApplication } from '@tidewater/config';
import { permanent } from '../errors/permanent.ts';

// Kubernetes' own rules (k8s.io/apimachinery validation), which every value below must meet anyway once it is
// in an object: checking them before a tool runs also means no value can be read by git, helm or kustomize as
// a flag (none of them may start with `-`).
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePart = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Helm's own release name rule (helm/pkg/chartutil ValidateReleaseName): a DNS-1123 subdomain of at most 53. */
const helmReleaseName = dns1123Subdomain;
/** A kustomize image override: `name`, `name=newName`, `name:tag`, `name@sha256:…`, and combinations. */
const imageOverride = /^[A-Za-z0-9][A-Za-z0-9._/:@=+-]*$/;
/** Characters a name prefix or suffix may add to a DNS-1123 name. */
const nameAffix = /^[a-z0-9.-]+$/;

/** Why `key` is not a Kubernetes qualified name (`[prefix/]name`), or undefined. */
function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dns1123Subdomain.test(prefix))) return 'its prefix is not a DNS-1123 subdomain';
  if (name.length > 63 || !qualifiedNamePart.test(name)) return 'it is not a qualified name (alphanumerics, -, _ and ., at most 63, starting and ending alphanumeric)';
  return undefined;
}

/** Refs as `git check-ref-format` accepts them (plus `HEAD` and SHAs), never starting with `-`. */
function refProblem(ref: string): string | undefined {
  if (ref.startsWith('-')) return 'it starts with "-"';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return 'it holds a character git does not allow in a ref';
  if (ref.includes('..') || ref.includes('@{') || ref.includes('//') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock') || ref.startsWith('/')) {
    return 'it is not a valid git ref';
  }
  return undefined;
}

/**
 * Validates every value of the Application (and of the render job) that reaches git, helm or kustomize as an
 * argument, before anything runs: names are DNS-1123, keys are qualified names, nothing starts with `-`.
 * A refusal is permanent and names the Application and the field.
 */
export function assertSafeToolArguments(app: ArgoApplication, targetRevision: string): void {
  const refuse = (field: string, value: string, why: string) => {
    throw permanent(`application ${app.metadata.name}: ${field} ${JSON.stringify(value)} is refused: ${why}`);
  };
  const { source, destination } = app.spec;

  const revisionProblem = refProblem(targetRevision);
  if (revisionProblem) refuse('spec.source.targetRevision', targetRevision, revisionProblem);
  if (source.path.trim().startsWith('-')) refuse('spec.source.path', source.path, 'it starts with "-"');
  const namespace = destination.namespace;
  if (namespace && (namespace.length > 63 || !dns1123Label.test(namespace))) {
    refuse('spec.destination.namespace', namespace, 'it is not a DNS-1123 label');
  }

  const helm = source.helm;
  if (helm) {
    assertHelmReleaseName(app);
    (helm.valueFiles ?? []).forEach((valueFile, index) => {
      if (valueFile.trim().startsWith('-')) refuse(`spec.source.helm.valueFiles[${index}]`, valueFile, 'it starts with "-"');
    });
    (helm.parameters ?? []).forEach((parameter, index) => {
      if (parameter.name.startsWith('-') || /[\s,=]/.test(parameter.name)) {
        refuse(`spec.source.helm.parameters[${index}].name`, parameter.name, 'a parameter name must not start with "-" or hold spaces, "," or "="');
      }
    });
  }

  const kustomize = source.kustomize;
  if (kustomize) {
    if (kustomize.namePrefix && (!nameAffix.test(kustomize.namePrefix) || /^[-.]/.test(kustomize.namePrefix))) {
      refuse('spec.source.kustomize.namePrefix', kustomize.namePrefix, 'a name prefix may hold only a-z, 0-9, "-" and "." and must start with a-z or 0-9');
    }
    // A suffix such as `-dev` legitimately starts with `-`: it is passed after `--`, so it cannot be a flag.
    if (kustomize.nameSuffix && (!nameAffix.test(kustomize.nameSuffix) || /[-.]$/.test(kustomize.nameSuffix))) {
      refuse('spec.source.kustomize.nameSuffix', kustomize.nameSuffix, 'a name suffix may hold only a-z, 0-9, "-" and "." and must end with a-z or 0-9');
    }
    if (kustomize.namespace && (kustomize.namespace.length > 63 || !dns1123Label.test(kustomize.namespace))) {
      refuse('spec.source.kustomize.namespace', kustomize.namespace, 'it is not a DNS-1123 label');
    }
    (kustomize.images ?? []).forEach((image, index) => {
      if (!imageOverride.test(image)) refuse(`spec.source.kustomize.images[${index}]`, image, 'it is not an image override (name[=newName][:tag][@digest])');
    });
    for (const [key, value] of Object.entries(kustomize.commonLabels ?? {})) {
      const problem = qualifiedNameProblem(key);
      if (problem) refuse('spec.source.kustomize.commonLabels key', key, problem);
      if (value.length > 63 || !labelValue.test(value)) refuse(`spec.source.kustomize.commonLabels.${key}`, value, 'it is not a valid label value');
    }
    for (const key of Object.keys(kustomize.commonAnnotations ?? {})) {
      const problem = qualifiedNameProblem(key);
      if (problem) refuse('spec.source.kustomize.commonAnnotations key', key, problem);
    }
  }
}

/**
 * The Helm release name (`spec.source.helm.releaseName`, else the Application's name) as Helm's own rule wants
 * it. Checked up front when the Application has a helm block, and again when a chart is detected without one.
 */
export function assertHelmReleaseName(app: ArgoApplication): void {
  const releaseName = app.spec.source.helm?.releaseName;
  const field = releaseName ? 'spec.source.helm.releaseName' : 'metadata.name (the default Helm release name)';
  const release = releaseName || app.metadata.name;
  if (release.length > 53 || !helmReleaseName.test(release)) {
    throw permanent(`application ${app.metadata.name}: ${field} ${JSON.stringify(release)} is refused: `
      + 'it is not a valid Helm release name (a DNS-1123 subdomain of at most 53 characters)');
  }
}
