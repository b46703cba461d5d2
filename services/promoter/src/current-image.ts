import { type ImagePolicy, normaliseImageName, splitImageReference } from '@tidewater/config';
import { currentHelmImage } from './write-back/helm-values.ts';
import { currentKustomizationImage } from './write-back/kustomization-images.ts';
import { parseDocument, isMap, isSeq } from 'yaml';

/** The file a policy writes, relative to the repository root. */
export function targetFileOf(policy: ImagePolicy): string {
  const target = policy.writeBack.target;
  if (target.kind === 'kustomization') return target.path ? `${target.path.replace(/\/+$/, '')}/kustomization.yaml` : 'kustomization.yaml';
  if (target.kind === 'setters') return target.path;
  return target.file;
}

/** The name the manifests use for the policy's image (`kustomize.image-name`, else the image as named). */
export function manifestNameOf(policy: ImagePolicy, imageAsWritten: string): string {
  return policy.kustomizeImageName ?? imageAsWritten;
}

/** What the target file says runs now (tag and digest), when it says. */
export function currentImageInFile(policy: ImagePolicy, text: string | undefined, manifestName: string, imageAsWritten: string): { tag?: string; digest?: string } {
  if (text === undefined) return {};
  const target = policy.writeBack.target;
  if (target.kind === 'kustomization') return currentKustomizationImage(text, manifestName) ?? {};
  if (target.kind === 'helmvalues') return currentHelmImage(text, policy.helm ?? {}) ?? {};
  if (target.kind === 'argocd-source') {
    const document = parseDocument(text);
    const images = document.getIn(['kustomize', 'images']);
    if (isSeq(images)) {
      for (const item of images.items) {
        const value = String((item as { value?: unknown }).value ?? item);
        const reference = value.includes('=') ? value.slice(value.indexOf('=') + 1) : value;
        const parts = splitImageReference(reference);
        if (normaliseImageName(parts.name) === policy.image) return { ...(parts.tag ? { tag: parts.tag } : {}), ...(parts.digest ? { digest: parts.digest } : {}) };
      }
    }
    const parameters = document.getIn(['helm', 'parameters']);
    if (isSeq(parameters) && policy.helm?.imageTag) {
      const entry = parameters.items.find((item) => isMap(item) && item.get('name') === policy.helm?.imageTag);
      if (entry && isMap(entry)) return { tag: String(entry.get('value')) };
    }
    void imageAsWritten;
  }
  return {};
}

/** Container images of rendered objects (Deployments, StatefulSets, Pods, …) that are the policy's image, with their tags. */
export function imagesInObjects(objects: readonly unknown[], policy: ImagePolicy, manifestName: string): Array<{ tag?: string }> {
  const found: Array<{ tag?: string }> = [];
  const wanted = new Set([policy.image, normaliseImageName(manifestName)]);
  const visit = (value: unknown, key?: string) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value && typeof value === 'object') {
      for (const [childKey, child] of Object.entries(value)) visit(child, childKey);
    } else if (key === 'image' && typeof value === 'string') {
      const parts = splitImageReference(value);
      if (wanted.has(normaliseImageName(parts.name))) found.push(parts.tag ? { tag: parts.tag } : {});
    }
  };
  for (const object of objects) visit(object);
  return found;
}
