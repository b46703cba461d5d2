import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { normalizeRepoUrl, type ApplicationSource } from '@tidewater/config';
import { redisKeys, signBundle, verifyBundleSignature, type BundleSigningKey, type RenderedBundle } from '@tidewater/queues';

/** Bundles live a week; a hit refreshes the clock. */
export const bundleTtlSeconds = 7 * 24 * 3_600;

/** Bumped when the renderer's output for the same inputs changes, so old bundles are not reused. */
const renderLogicVersion = 1;

export interface BundleCacheInput {
  app: string;
  repoURL: string;
  revision: string;
  /** Normalised repo-relative path. */
  path: string;
  source: Pick<ApplicationSource, 'directory' | 'kustomize' | 'helm'>;
  destinationNamespace?: string;
  /** Flux postBuild.substitute variables (see render/post-build-substitute.ts). */
  substitute?: Record<string, string>;
  /** Flux spec.patches (see render/flux-patches.ts). */
  patches?: unknown[];
}

/** sha256 over everything that decides the rendered objects: repository, commit, path, render options, namespace, app. */
export function bundleCacheKey(input: BundleCacheInput): string {
  const material = stableJson({
    version: renderLogicVersion,
    repo: normalizeRepoUrl(input.repoURL),
    revision: input.revision.toLowerCase(),
    path: input.path,
    options: { directory: input.source.directory ?? null, kustomize: input.source.kustomize ?? null, helm: input.source.helm ?? null },
    namespace: input.destinationNamespace ?? '',
    app: input.app,
    // Flux postBuild.substitute variables change the output: part of the key only when present (old keys stay valid).
    ...(input.substitute ? { substitute: input.substitute } : {}),
    ...(input.patches ? { patches: input.patches } : {}),
  });
  return createHash('sha256').update(material).digest('hex');
}

/** The renderer's private record of which repository paths produced a cached bundle. */
const bundleSourcePathsKey = (cacheKey: string) => `tidewater:renderer:bundle-source-paths:${cacheKey}`;

export interface CachedRender {
  bundle: RenderedBundle;
  sourcePaths: string[];
}

/**
 * A cached bundle and the source paths its render read; refreshes both TTLs. A bundle without a valid signature
 * under `signingKey` (cached before bundles were signed, or written by someone else) is a miss: it is rendered again.
 */
export async function readCachedRender(redis: Redis, cacheKey: string, signingKey: BundleSigningKey): Promise<CachedRender | undefined> {
  const bundleKey = redisKeys.bundle(cacheKey);
  const pathsKey = bundleSourcePathsKey(cacheKey);
  const results = await redis.multi().get(bundleKey).smembers(pathsKey)
    .expire(bundleKey, bundleTtlSeconds).expire(pathsKey, bundleTtlSeconds).exec();
  const raw = results?.[0]?.[1];
  if (typeof raw !== 'string') return undefined;
  const sourcePaths = (results?.[1]?.[1] as string[] | undefined) ?? [];
  let bundle: RenderedBundle;
  try {
    bundle = JSON.parse(raw) as RenderedBundle;
  } catch {
    return undefined;
  }
  if (!verifyBundleSignature(bundle, signingKey).ok) return undefined;
  return { bundle, sourcePaths: sourcePaths.sort() };
}

/**
 * Stores a bundle (RenderedBundle JSON at redisKeys.bundle, signed with `signingKey` so the syncer can tell it from
 * one a rogue Redis writer put there) and its source paths, both with the bundle TTL.
 */
export async function storeRender(redis: Redis, cacheKey: string, render: CachedRender, signingKey: BundleSigningKey): Promise<string> {
  const bundleKey = redisKeys.bundle(cacheKey);
  const pathsKey = bundleSourcePathsKey(cacheKey);
  const signed = signBundle(render.bundle, signingKey);
  const transaction = redis.multi().set(bundleKey, JSON.stringify(signed), 'EX', bundleTtlSeconds).del(pathsKey);
  if (render.sourcePaths.length) transaction.sadd(pathsKey, ...render.sourcePaths).expire(pathsKey, bundleTtlSeconds);
  await transaction.exec();
  return bundleKey;
}

/** JSON with object keys sorted, so equal options always hash equally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) => {
    if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
      return Object.fromEntries(Object.entries(entry as Record<string, unknown>).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
    }
    return entry;
  });
}
