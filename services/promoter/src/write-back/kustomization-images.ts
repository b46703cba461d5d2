import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { ImageUpdateError } from '../errors/promoter-errors.ts';
import type { ImageChange } from './image-change.ts';

/** The image a kustomization's `images:` entry sets now (tag and digest), if it has one for `name`. */
export function currentKustomizationImage(text: string, name: string): { tag?: string; digest?: string } | undefined {
  const document = parseDocument(text);
  const images = document.get('images');
  if (!isSeq(images)) return undefined;
  for (const item of images.items) {
    if (isMap(item) && item.get('name') === name) {
      const tag = item.get('newTag');
      const digest = item.get('digest');
      return { ...(typeof tag === 'string' ? { tag } : {}), ...(typeof digest === 'string' ? { digest } : {}) };
    }
  }
  return undefined;
}

/**
 * Sets the `images:` entry for the change as `kustomize edit set image <name>=<image>:<tag>` would (name, newName,
 * newTag, digest), keeping every other line and comment of the file.
 */
export function setKustomizationImage(text: string, change: ImageChange, file: string): string {
  const document = parseDocument(text);
  if (document.errors.length > 0 || !isMap(document.contents)) throw new ImageUpdateError(`${file} is not a YAML mapping: cannot set the image`);
  let images = document.get('images');
  if (images === undefined || images === null) {
    images = new YAMLSeq();
    document.set('images', images);
  }
  if (!isSeq(images)) throw new ImageUpdateError(`${file}: images is not a list`);
  let entry = images.items.find((item): item is YAMLMap => isMap(item) && item.get('name') === change.manifestName);
  if (!entry) {
    entry = new YAMLMap();
    entry.set('name', change.manifestName);
    images.items.push(entry);
  }
  if (change.manifestName !== change.image) entry.set('newName', change.image);
  else entry.delete('newName');
  entry.set('newTag', change.newTag);
  if (change.pinDigest && change.newDigest) entry.set('digest', change.newDigest);
  else entry.delete('digest');
  return document.toString();
}
