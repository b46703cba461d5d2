import { globMatch } from '../glob.ts';
import type { ArgoApplication } from '../schema/application.ts';
import { imagePoliciesFromAnnotations, imageUpdaterPrefix } from './argocd-image-updater.ts';
import type { ImagePolicy } from './image-policy.ts';
import { pullRequestAnnotations } from './pull-request-annotations.ts';
import { asRecord, str, strings, type Raw, type RawDocument } from './raw-document.ts';

const pullRequestKeys: readonly string[] = Object.values(pullRequestAnnotations);

export interface ImageUpdaterFinding {
  document: RawDocument;
  field: string;
  detail: string;
}


/** Settings merged from spec → applicationRef → image, as Image Updater does (the most specific wins). */
function mergeSettings(...levels: Array<Raw | undefined>): Raw {
  return Object.assign({}, ...levels.filter(Boolean));
}

/**
 * Argo CD Image Updater v1's `ImageUpdater` custom resource (argocd-image-updater.argoproj.io/v1alpha1): each
 * applicationRef selects Applications by `namePattern` and lists images with their settings. Each selected image is
 * translated through the same rules as the annotations it replaces, so both forms behave alike.
 */
export function imagePoliciesFromImageUpdater(documents: readonly RawDocument[], applications: readonly ArgoApplication[]): { policies: ImagePolicy[]; findings: ImageUpdaterFinding[] } {
  const policies: ImagePolicy[] = [];
  const findings: ImageUpdaterFinding[] = [];
  for (const document of documents) {
    const value = asRecord(document.value);
    if (!value || value.kind !== 'ImageUpdater' || typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith('argocd-image-updater.argoproj.io/')) continue;
    const name = str(asRecord(value.metadata)?.name) ?? 'unnamed';
    const spec = asRecord(value.spec) ?? {};
    const refs = Array.isArray(spec.applicationRefs) ? spec.applicationRefs : [];
    if (refs.length === 0) findings.push({ document, field: 'spec.applicationRefs', detail: 'is empty: nothing is updated' });
    for (const [refIndex, refValue] of refs.entries()) {
      const ref = asRecord(refValue) ?? {};
      const refField = `spec.applicationRefs[${refIndex}]`;
      const pattern = str(ref.namePattern);
      if (!pattern) {
        findings.push({ document, field: `${refField}.namePattern`, detail: 'is required' });
        continue;
      }
      if (ref.labelSelectors !== undefined) findings.push({ document, field: `${refField}.labelSelectors`, detail: 'is not supported yet: Applications are selected by namePattern only' });
      const writeBack = mergeSettings(asRecord(spec.writeBackConfig), asRecord(ref.writeBackConfig));
      const gitConfig = mergeSettings(asRecord(asRecord(spec.writeBackConfig)?.gitConfig), asRecord(asRecord(ref.writeBackConfig)?.gitConfig));
      const selected = applications.filter((application) => globMatch(pattern, application.metadata.name));
      if (selected.length === 0) findings.push({ document, field: `${refField}.namePattern`, detail: `matches no Application in this configuration` });
      const images = Array.isArray(ref.images) ? ref.images : [];
      for (const [imageIndex, imageValue] of images.entries()) {
        const image = asRecord(imageValue) ?? {};
        const imageField = `${refField}.images[${imageIndex}]`;
        const alias = str(image.alias);
        const imageName = str(image.imageName);
        if (!alias || !imageName) {
          findings.push({ document, field: imageField, detail: 'needs alias and imageName' });
          continue;
        }
        const settings = mergeSettings(asRecord(spec.commonUpdateSettings), asRecord(ref.commonUpdateSettings), asRecord(image.commonUpdateSettings));
        const helm = asRecord(asRecord(image.manifestTargets)?.helm);
        const kustomize = asRecord(asRecord(image.manifestTargets)?.kustomize);
        const allowTags = str(settings.allowTags);
        const annotations: Record<string, string> = {
          [`${imageUpdaterPrefix}image-list`]: `${alias}=${imageName}`,
          [`${imageUpdaterPrefix}write-back-method`]: str(writeBack.method) ?? 'argocd',
          ...(str(settings.updateStrategy) ? { [`${imageUpdaterPrefix}${alias}.update-strategy`]: str(settings.updateStrategy) as string } : {}),
          ...(allowTags ? { [`${imageUpdaterPrefix}${alias}.allow-tags`]: allowTags === 'any' || allowTags.startsWith('regexp:') ? allowTags : `regexp:${allowTags}` } : {}),
          ...(strings(settings.ignoreTags).length > 0 ? { [`${imageUpdaterPrefix}${alias}.ignore-tags`]: strings(settings.ignoreTags).join(',') } : {}),
          ...(typeof settings.forceUpdate === 'boolean' ? { [`${imageUpdaterPrefix}${alias}.force-update`]: String(settings.forceUpdate) } : {}),
          ...(strings(settings.platforms).length > 0 ? { [`${imageUpdaterPrefix}${alias}.platforms`]: strings(settings.platforms).join(',') } : {}),
          ...(str(settings.pullSecret) ? { [`${imageUpdaterPrefix}${alias}.pull-secret`]: str(settings.pullSecret) as string } : {}),
          ...(str(helm?.name) ? { [`${imageUpdaterPrefix}${alias}.helm.image-name`]: str(helm?.name) as string } : {}),
          ...(str(helm?.tag) ? { [`${imageUpdaterPrefix}${alias}.helm.image-tag`]: str(helm?.tag) as string } : {}),
          ...(str(helm?.spec) ? { [`${imageUpdaterPrefix}${alias}.helm.image-spec`]: str(helm?.spec) as string } : {}),
          ...(str(kustomize?.name) ? { [`${imageUpdaterPrefix}${alias}.kustomize.image-name`]: str(kustomize?.name) as string } : {}),
          ...(str(gitConfig.branch) ? { [`${imageUpdaterPrefix}git-branch`]: str(gitConfig.branch) as string } : {}),
          ...(str(gitConfig.writeBackTarget) ? { [`${imageUpdaterPrefix}write-back-target`]: (str(gitConfig.writeBackTarget) as string).replace(/:\.\//, ':') } : {}),
          ...(str(gitConfig.repository) ? { [`${imageUpdaterPrefix}git-repository`]: str(gitConfig.repository) as string } : {}),
        };
        for (const application of selected) {
          // Pull-request mode stays on the Application (Tidewater's annotations; the resource has no such setting).
          const own = Object.entries(application.metadata.annotations ?? {}).filter(([key]) => pullRequestKeys.includes(key));
          const translated = imagePoliciesFromAnnotations({ ...application, metadata: { ...application.metadata, annotations: { ...annotations, ...Object.fromEntries(own) } } });
          for (const warning of translated.warnings) {
            const setting = warning.annotation.startsWith(imageUpdaterPrefix) ? warning.annotation.slice(imageUpdaterPrefix.length) : warning.annotation;
            findings.push({ document, field: imageField, detail: `${application.metadata.name}: ${warning.detail} (${setting})` });
          }
          policies.push(...translated.policies.map((policy) => ({ ...policy, id: `imageupdater:${name}:${application.metadata.name}:${alias}` })));
        }
      }
    }
  }
  return { policies, findings };
}
