import type { Redis } from 'ioredis';
import type { ArgoApplication, ImagePolicy } from '@tidewater/config';
import { eventTypes, type EventPublisher, type ImageUpdatedData } from '@tidewater/events';
import {
  imageOverrideFingerprint, kustomizeImageName, readDesiredRevision, readImageOverride, redisKeys, writeImageOverride,
  type ImageOverride, type Producers, type RenderedBundle, type SyncHistoryEntry,
} from '@tidewater/queues';
import { injectTraceContext, type Logger } from '@tidewater/telemetry';
import { imagesInObjects, manifestNameOf } from '../current-image.ts';
import { ImageUpdateError } from '../errors/promoter-errors.ts';
import { getImageUpdaterMetrics } from '../metrics/image-updater-metrics.ts';
import { decideTag } from '../policy/tag-decision.ts';
import { imageReference, type ImageChange } from './image-change.ts';

/** What the override write-back reports; the same shape as a Git write-back's result. */
export type OverrideResult =
  | { outcome: 'updated'; commit: string; oldTag?: string; newTag: string; file: string }
  | { outcome: 'unchanged' | 'skipped'; reason: string };

/** Where an override is said to live, in events and results (there is no file). */
export const overrideTarget = 'argocd parameter override';

/**
 * The tag the app runs now: the override's own, else the one in its last synced bundle. `uses` is whether that bundle
 * runs the image at all (undefined: no bundle yet, or the override already names it).
 */
async function currentTag(redis: Redis, policy: ImagePolicy, override: ImageOverride | undefined, manifestName: string): Promise<{ tag?: string; uses?: boolean }> {
  const own = override?.images.find((entry) => entry.policy === policy.id);
  if (own) return { tag: own.tag, uses: true };
  try {
    const latest = await redis.lindex(redisKeys.history(policy.app), 0);
    const entry = latest ? (JSON.parse(latest) as Partial<SyncHistoryEntry>) : undefined;
    const raw = entry?.bundleKey ? await redis.get(entry.bundleKey) : null;
    const bundle = raw ? (JSON.parse(raw) as Partial<RenderedBundle>) : undefined;
    if (!Array.isArray(bundle?.objects)) return {};
    const found = imagesInObjects(bundle.objects, policy, manifestName);
    return { ...(found[0]?.tag ? { tag: found[0].tag } : {}), uses: found.length > 0 };
  } catch {
    return {};
  }
}

/**
 * Image Updater's `write-back-method: argocd`: the image becomes a parameter override of the Application kept in
 * Redis (kustomize image, or helm parameters with the policy's helm names), and a render of the app's desired
 * revision is requested; the renderer applies the override. No Git commit.
 */
export async function overrideImage(deps: { redis: Redis; events: EventPublisher; producers: Producers; logger: Logger }, request: {
  policy: ImagePolicy;
  application: ArgoApplication | undefined;
  tag: string;
  digest: string;
  base: { app: string; policy: string; image: string; traceId?: string };
}): Promise<OverrideResult> {
  const { policy, application, base } = request;
  if (!application) throw new ImageUpdateError(`${policy.id}: write-back-method argocd needs the Application ${policy.app}`);
  const app = application.metadata.name;
  const manifestName = manifestNameOf(policy, policy.image);
  const existing = await readImageOverride(deps.redis, app);
  const current = await currentTag(deps.redis, policy, existing, manifestName);
  if (current.uses === false && !policy.forceUpdate) return { outcome: 'skipped', reason: `Application ${app} does not use ${policy.image} (set force-update to add it)` };
  const decision = decideTag(policy, { tag: request.tag, digest: request.digest }, current.tag ? { tag: current.tag } : {});
  if (!decision.update) return { outcome: 'unchanged', reason: decision.reason };
  const change: ImageChange = {
    image: policy.image, manifestName, newTag: decision.tag, newDigest: request.digest, pinDigest: policy.strategy === 'digest',
    ...(current.tag ? { oldTag: current.tag } : {}),
  };
  const override: ImageOverride = existing ?? { app, kustomizeImages: [], helmParameters: [], images: [], updatedAt: '' };
  const helm = policy.helm;
  if (helm && (helm.imageName || helm.imageTag || helm.imageSpec)) {
    const parameters = [
      ...(helm.imageSpec ? [{ name: helm.imageSpec, value: imageReference(change) }] : []),
      ...(helm.imageName ? [{ name: helm.imageName, value: change.image }] : []),
      ...(helm.imageTag ? [{ name: helm.imageTag, value: change.newTag }] : []),
    ];
    for (const parameter of parameters) {
      override.helmParameters = [...override.helmParameters.filter((entry) => entry.name !== parameter.name), { ...parameter, forceString: true }];
    }
  } else {
    const entry = `${change.manifestName !== change.image ? `${change.manifestName}=` : ''}${imageReference(change)}`;
    override.kustomizeImages = [...override.kustomizeImages.filter((candidate) => kustomizeImageName(candidate) !== kustomizeImageName(entry)), entry];
  }
  const at = new Date().toISOString();
  override.images = [...override.images.filter((entry) => entry.policy !== policy.id), { policy: policy.id, image: policy.image, tag: change.newTag, digest: request.digest, at }];
  override.updatedAt = at;
  await writeImageOverride(deps.redis, override);

  // The app's desired revision rendered again with the override; before any render, the first one picks it up.
  const desired = await readDesiredRevision(deps.redis, app);
  const source = application.spec.source;
  if (desired) {
    await deps.producers.requestRender({
      app, repoURL: source.repoURL, revision: desired.revision, targetRevision: source.targetRevision,
      trigger: { kind: 'manual', actor: 'tidewater-promoter', receivedAt: at }, trace: injectTraceContext(),
      ...(imageOverrideFingerprint(override) ? { imageOverride: imageOverrideFingerprint(override) } : {}),
    });
  }
  const revision = desired?.revision ?? '';
  const updated: ImageUpdatedData = {
    ...base, newTag: change.newTag, ...(change.oldTag ? { oldTag: change.oldTag } : {}), newDigest: request.digest,
    commit: revision, revision, repo: source.repoURL, branch: source.targetRevision, file: overrideTarget,
  };
  getImageUpdaterMetrics().imagesUpdated.inc({ application: app });
  deps.logger.info({ oldTag: change.oldTag, newTag: change.newTag, revision }, 'image updated: parameter override');
  await deps.events.publish({ type: eventTypes.imageUpdated, data: updated });
  return { outcome: 'updated', commit: revision, ...(change.oldTag ? { oldTag: change.oldTag } : {}), newTag: change.newTag, file: overrideTarget };
}
