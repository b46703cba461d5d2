import { Document, isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { ImageUpdateError } from '../errors/promoter-errors.ts';
import { imageReference, type ImageChange } from './image-change.ts';
import type { HelmImageNames } from './helm-values.ts';

/**
 * Image Updater's `.argocd-source-<app>.yaml`: `kustomize.images` entries (`[<original>=]<image>:<tag>`) or
 * `helm.parameters` (`{name, value, forcestring: true}`), other overrides in the file kept.
 */
export function setArgocdSourceImage(text: string, change: ImageChange, helm: HelmImageNames | undefined, file: string): string {
  // A new or empty file starts as a block mapping (as a person would write it).
  const document: Document = text.trim() === '' ? new Document({}) : parseDocument(text);
  if (document.errors.length > 0 || !isMap(document.contents)) throw new ImageUpdateError(`${file} is not a YAML mapping: cannot set the image`);
  if (helm && (helm.imageName || helm.imageTag || helm.imageSpec)) {
    const parameters = new Map<string, string>();
    if (helm.imageSpec) parameters.set(helm.imageSpec, imageReference(change));
    if (helm.imageName) parameters.set(helm.imageName, change.image);
    if (helm.imageTag) parameters.set(helm.imageTag, change.newTag);
    let list = document.getIn(['helm', 'parameters']);
    if (!isSeq(list)) {
      list = new YAMLSeq();
      document.setIn(['helm', 'parameters'], list);
    }
    const seq = list as YAMLSeq;
    for (const [name, value] of parameters) {
      const existing = seq.items.find((item) => isMap(item) && item.get('name') === name);
      if (existing && isMap(existing)) existing.set('value', value);
      else seq.add(document.createNode({ name, value, forcestring: true }));
    }
    return document.toString();
  }
  const prefix = change.manifestName !== change.image ? `${change.manifestName}=` : '';
  const entry = `${prefix}${imageReference(change)}`;
  let images = document.getIn(['kustomize', 'images']);
  if (!isSeq(images)) {
    images = new YAMLSeq();
    document.setIn(['kustomize', 'images'], images);
  }
  const seq = images as YAMLSeq;
  const index = seq.items.findIndex((item) => {
    const value = String((item as { value?: unknown }).value ?? item);
    return value.startsWith(prefix ? prefix : `${change.image}:`) || value.startsWith(`${change.image}@`);
  });
  if (index >= 0) seq.set(index, entry);
  else seq.add(entry);
  return document.toString();
}
