import { z } from 'zod';

const ImageEventBase = z.object({
  app: z.string().min(1),
  /** The image policy (`argocd:<app>:<alias>`, `tidewater:<name>`). */
  policy: z.string().min(1),
  /** `registry-host/repository`. */
  image: z.string().min(1),
  traceId: z.string().optional(),
});

/** `dev.tidewater.image.discovered` */
export const ImageDiscoveredData = ImageEventBase.extend({
  tag: z.string().optional(),
  digest: z.string().optional(),
  /** The receiver that delivered it (`registry-distribution`, …) and its delivery id. */
  provider: z.string(),
  deliveryId: z.string(),
});
export type ImageDiscoveredData = z.infer<typeof ImageDiscoveredData>;

/** `dev.tidewater.image.updated` */
export const ImageUpdatedData = ImageEventBase.extend({
  oldTag: z.string().optional(),
  newTag: z.string(),
  oldDigest: z.string().optional(),
  newDigest: z.string().optional(),
  /** The write-back commit; also `revision`, as every event names the commit it is about. */
  commit: z.string(),
  revision: z.string(),
  repo: z.string(),
  branch: z.string(),
  file: z.string(),
  /** Pull-request mode: the pull (merge) request the write branch is proposed in. */
  pullRequestUrl: z.string().optional(),
  pullRequestNumber: z.number().int().optional(),
});
export type ImageUpdatedData = z.infer<typeof ImageUpdatedData>;

/** `dev.tidewater.image.update-failed` */
export const ImageUpdateFailedData = ImageEventBase.extend({
  tag: z.string().optional(),
  reason: z.string(),
});
export type ImageUpdateFailedData = z.infer<typeof ImageUpdateFailedData>;

/** `dev.tidewater.image.pinned` */
export const ImagePinnedData = ImageEventBase.extend({
  tag: z.string().optional(),
  /** `rollback` (the app is paused) or `git-revert` (someone replaced the image the promoter wrote). */
  cause: z.enum(['rollback', 'git-revert']),
  reason: z.string(),
});
export type ImagePinnedData = z.infer<typeof ImagePinnedData>;
