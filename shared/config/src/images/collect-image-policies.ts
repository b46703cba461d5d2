import { ConfigError, configWarning, type ConfigLocation, type ConfigWarning } from '../errors.ts';
import type { ArgoApplication } from '../schema/application.ts';
import { imagePoliciesFromAnnotations } from './argocd-image-updater.ts';
import { imagePoliciesFromFlux } from './flux-image-automation.ts';
import { imagePoliciesFromImageUpdater } from './image-updater-crd.ts';
import type { ImagePolicy } from './image-policy.ts';
import { imagePolicyFromTidewater, TidewaterImagePolicy } from './tidewater-image-policy.ts';

/** A loaded document as the loader holds it (see parse-text.ts): enough to find the image policies. */
export type ImagePolicySourceDocument =
  | { kind: 'Application'; value: ArgoApplication; location: ConfigLocation }
  | { kind: string; value: unknown; location: ConfigLocation };

export interface CollectedImagePolicies {
  policies: ImagePolicy[];
  /** Documents this module acts on (Flux image automation kinds): the loader's "not handled yet" warning is dropped for them. */
  handled: Array<{ file: string; documentIndex: number }>;
  warnings: ConfigWarning[];
  errors: ConfigError[];
}

/**
 * Every image policy of a configuration: Argo CD Image Updater annotations on Applications and Tidewater
 * `ImagePolicy` documents. Findings name the file, document and annotation or field; policies with a finding that
 * stops them carry `disabledReason` and update nothing.
 */
export function collectImagePolicies(documents: readonly ImagePolicySourceDocument[]): CollectedImagePolicies {
  const result: CollectedImagePolicies = { policies: [], handled: [], warnings: [], errors: [] };
  const applications = new Map<string, ArgoApplication>();
  for (const document of documents) {
    if (document.kind !== 'Application') continue;
    const application = document.value as ArgoApplication;
    applications.set(application.metadata.name, application);
    const { policies, warnings } = imagePoliciesFromAnnotations(application);
    for (const warning of warnings) {
      result.warnings.push(configWarning({ ...document.location, field: `metadata.annotations[${warning.annotation}]` }, warning.detail));
    }
    result.policies.push(...policies);
  }
  for (const document of documents) {
    if (document.kind !== 'other' || !isTidewaterImagePolicy(document.value)) continue;
    const parsed = TidewaterImagePolicy.safeParse(document.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        result.errors.push(new ConfigError({ ...document.location, field: issue.path.map(String).join('.') }, issue.message));
      }
      continue;
    }
    const application = applications.get(parsed.data.spec.application);
    if (!application) {
      result.errors.push(new ConfigError({ ...document.location, field: 'spec.application' }, `Application ${parsed.data.spec.application} is not defined`));
      continue;
    }
    const { policy, warnings } = imagePolicyFromTidewater(parsed.data, application.spec.source?.path ?? '.');
    for (const warning of warnings) result.warnings.push(configWarning({ ...document.location, field: warning.field }, warning.detail));
    result.policies.push(policy);
  }
  const updaters = imagePoliciesFromImageUpdater(documents, [...applications.values()]);
  for (const finding of updaters.findings) result.warnings.push(configWarning({ ...finding.document.location, field: finding.field }, finding.detail));
  result.policies.push(...updaters.policies);
  const flux = imagePoliciesFromFlux(documents);
  for (const document of documents) {
    const apiVersion = (document.value as { apiVersion?: unknown } | null)?.apiVersion;
    if (typeof apiVersion === 'string' && (apiVersion.startsWith('image.toolkit.fluxcd.io/') || apiVersion.startsWith('argocd-image-updater.argoproj.io/'))) result.handled.push({ file: document.location.file, documentIndex: document.location.documentIndex });
  }
  for (const finding of flux.findings) result.warnings.push(configWarning({ ...finding.document.location, field: finding.field }, finding.detail));
  result.policies.push(...flux.policies);
  // The renderer merges `.argocd-source.yaml` / `.argocd-source-<app>.yaml` of the Application's path (as Argo CD); a
  // file elsewhere is written but never rendered: say so instead of committing in vain.
  const applicationOf = (app: string) => documents.find((document) => document.kind === 'Application' && (document.value as ArgoApplication).metadata.name === app);
  for (const policy of result.policies) {
    if (policy.disabledReason || policy.writeBack.target.kind !== 'argocd-source') continue;
    const application = applicationOf(policy.app);
    if (!application) continue;
    const path = ((application.value as ArgoApplication).spec.source?.path ?? '.').replace(/^\.\/?/, '').replace(/\/+$/, '');
    const prefix = path ? `${path}/` : '';
    const rendered = [`${prefix}.argocd-source.yaml`, `${prefix}.argocd-source-${policy.app}.yaml`];
    if (rendered.includes(policy.writeBack.target.file)) continue;
    result.warnings.push(configWarning({ ...application.location, field: 'metadata.annotations[argocd-image-updater.argoproj.io/write-back-target]' },
      `${policy.alias}: the promoter writes ${policy.writeBack.target.file}, which the renderer does not read (only ${rendered.join(' and ')}); the update will not reach the cluster`));
  }
  return result;
}

function isTidewaterImagePolicy(value: unknown): boolean {
  const document = value as { apiVersion?: unknown; kind?: unknown } | null;
  return document !== null && typeof document === 'object' && document.kind === 'ImagePolicy' && document.apiVersion === 'tidewater.dev/v1alpha1';
}
