/** One image change the promoter writes: what ran before (when known) and what runs next. */
export interface ImageChange {
  /** The image as the policy names it (`registry/repository`). */
  image: string;
  /** The name the manifests use for it, when it differs (`kustomize.image-name`). */
  manifestName: string;
  oldTag?: string;
  oldDigest?: string;
  newTag: string;
  newDigest?: string;
  /** Write the digest (strategy digest) rather than only the tag. */
  pinDigest: boolean;
}

/** The reference written into a file: `image:tag`, or `image@digest` / `image:tag@digest` when pinned. */
export function imageReference(change: ImageChange): string {
  return change.pinDigest && change.newDigest ? `${change.image}:${change.newTag}@${change.newDigest}` : `${change.image}:${change.newTag}`;
}
