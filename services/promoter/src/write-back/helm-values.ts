import { Document, isMap, parseDocument } from 'yaml';
import { ImageUpdateError } from '../errors/promoter-errors.ts';
import { imageReference, type ImageChange } from './image-change.ts';

export interface HelmImageNames {
  imageName?: string;
  imageTag?: string;
  imageSpec?: string;
}

const pathOf = (dotted: string) => dotted.split('.');

/** The tag the values file sets now, at the policy's `helm.image-tag` (or inside `helm.image-spec`). */
export function currentHelmImage(text: string, names: HelmImageNames): { tag?: string } | undefined {
  const document = parseDocument(text);
  if (names.imageTag) {
    const tag = document.getIn(pathOf(names.imageTag));
    return typeof tag === 'string' || typeof tag === 'number' ? { tag: String(tag) } : undefined;
  }
  if (names.imageSpec) {
    const spec = document.getIn(pathOf(names.imageSpec));
    if (typeof spec !== 'string') return undefined;
    const tag = /:([^:/@]+)(@.*)?$/.exec(spec)?.[1];
    return tag ? { tag } : undefined;
  }
  return undefined;
}

/** Sets the image at the policy's dotted Helm value paths, keeping the rest of the file and its comments. */
export function setHelmImage(text: string, change: ImageChange, names: HelmImageNames, file: string): string {
  // A new or empty file starts as a block mapping (as a person would write it).
  const document: Document = text.trim() === '' ? new Document({}) : parseDocument(text);
  if (document.errors.length > 0 || !isMap(document.contents)) throw new ImageUpdateError(`${file} is not a YAML mapping: cannot set the image`);
  if (names.imageSpec) document.setIn(pathOf(names.imageSpec), imageReference(change));
  if (names.imageName) document.setIn(pathOf(names.imageName), change.image);
  if (names.imageTag) document.setIn(pathOf(names.imageTag), change.pinDigest && change.newDigest ? `${change.newTag}@${change.newDigest}` : change.newTag);
  return document.toString();
}
