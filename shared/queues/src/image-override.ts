import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Argo CD Image Updater's `write-back-method: argocd` (imperative mode) in Tidewater: no Git commit; the promoter
 * keeps the image as a parameter override of the Application in Redis, and the renderer applies it over the
 * Application's source (kustomize `images` by image name, helm `parameters` by name) before rendering, as
 * `argocd app set --kustomize-image / --parameter` would. The API shows the Application with it applied.
 */
export const ImageOverrideParameter = z.object({ name: z.string().min(1), value: z.string(), forceString: z.boolean().optional() });

export const ImageOverride = z.object({
  app: z.string().min(1),
  kustomizeImages: z.array(z.string().min(1)).default([]),
  helmParameters: z.array(ImageOverrideParameter).default([]),
  /** What set it, for operators: policy, image, tag (and digest) per image. */
  images: z.array(z.object({ policy: z.string(), image: z.string(), tag: z.string(), digest: z.string().optional(), at: z.string() })).default([]),
  updatedAt: z.string(),
});
export type ImageOverride = z.infer<typeof ImageOverride>;

export const imageOverrideKey = (app: string) => `tidewater:image-override:${app}`;

export async function readImageOverride(redis: Redis, app: string): Promise<ImageOverride | undefined> {
  const raw = await redis.get(imageOverrideKey(app));
  if (!raw) return undefined;
  try {
    const parsed = ImageOverride.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeImageOverride(redis: Redis, override: ImageOverride): Promise<void> {
  await redis.set(imageOverrideKey(override.app), JSON.stringify(ImageOverride.parse(override)));
}

/** A short fingerprint of what an override changes (not when): a render job carries it so a new override is new work. */
export function imageOverrideFingerprint(override: ImageOverride | undefined): string | undefined {
  if (!override || (override.kustomizeImages.length === 0 && override.helmParameters.length === 0)) return undefined;
  return createHash('sha256').update(JSON.stringify([override.kustomizeImages, override.helmParameters])).digest('hex').slice(0, 16);
}

/** The name a kustomize `images` entry is matched by: before `=`, else the image without tag or digest. */
export function kustomizeImageName(entry: string): string {
  const equals = entry.indexOf('=');
  if (equals >= 0) return entry.slice(0, equals);
  const at = entry.indexOf('@');
  const withoutDigest = at >= 0 ? entry.slice(0, at) : entry;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

interface SourceLike {
  kustomize?: { images?: string[] } & Record<string, unknown>;
  helm?: { parameters?: Array<{ name: string; value: string; forceString?: boolean }> } & Record<string, unknown>;
}

/**
 * A source with the override applied as Argo CD's imperative `app set` does: each kustomize image replaces the entry
 * of the same name (or is appended), each helm parameter the one of the same name (or is appended). The promoter
 * writes kustomize images or helm parameters for a policy, as Image Updater picks one by the policy's helm names.
 */
export function applyImageOverride<Source extends SourceLike>(source: Source, override: ImageOverride | undefined): Source {
  if (!override || (override.kustomizeImages.length === 0 && override.helmParameters.length === 0)) return source;
  const next: Source = { ...source };
  if (override.kustomizeImages.length > 0) {
    const images = [...(source.kustomize?.images ?? [])];
    for (const entry of override.kustomizeImages) {
      const index = images.findIndex((existing) => kustomizeImageName(existing) === kustomizeImageName(entry));
      if (index >= 0) images[index] = entry;
      else images.push(entry);
    }
    next.kustomize = { ...(source.kustomize ?? {}), images };
  }
  if (override.helmParameters.length > 0) {
    const parameters = [...(source.helm?.parameters ?? [])];
    for (const parameter of override.helmParameters) {
      const index = parameters.findIndex((existing) => existing.name === parameter.name);
      if (index >= 0) parameters[index] = parameter;
      else parameters.push(parameter);
    }
    next.helm = { ...(source.helm ?? {}), parameters };
  }
  return next;
}
