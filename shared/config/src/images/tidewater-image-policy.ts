import { validRange } from 'semver';
import { z } from 'zod';
import { ObjectMeta } from '../schema/object-meta.ts';
import { SecretRef } from '../schema/secret-ref.ts';
import { normaliseImageName, type ImagePolicy } from './image-policy.ts';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A forge API base URL: https, or plain http to a loopback host only (the token travels in it). */
export const PullRequestApiUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return !url.username && !url.password && (url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.has(url.hostname)));
  } catch {
    return false;
  }
}, { message: 'must be an https URL without credentials (plain http only to a loopback host)' });

/** `writeBack.pullRequest`: open or update one pull request per target through the forge's REST API. */
export const ImagePullRequestSpec = z.object({
  provider: z.enum(['github', 'gitlab', 'gitea']),
  apiURL: PullRequestApiUrl,
  tokenRef: SecretRef,
  /** `owner/repo` (GitLab: the project path); default the path of the repository URL. */
  repository: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/, 'must be owner/repo (GitLab: group/…/project)').optional(),
}).strict();
export type ImagePullRequestSpec = z.infer<typeof ImagePullRequestSpec>;

/** Tidewater's own `ImagePolicy` (apiVersion tidewater.dev/v1alpha1), for what neither peer format fits. */
export const TidewaterImagePolicySpec = z.object({
  /** The Application whose source is updated. */
  application: z.string().min(1),
  /** `registry/repository` without a tag. */
  image: z.string().min(1),
  strategy: z.enum(['semver', 'newest-build', 'digest', 'alphabetical', 'numerical']).default('semver'),
  /** semver range (semver), or the tag to follow (digest). */
  constraint: z.string().min(1).optional(),
  allowTags: z.string().min(1).optional(),
  ignoreTags: z.array(z.string().min(1)).default([]),
  /** A tag must be at least this old (seconds since its image config's `created`); a younger one is taken by a later poll. */
  minTagAgeSeconds: z.number().int().min(0).optional(),
  /** A tag qualifies only if its manifest (list) offers every one of these platforms, `os/arch[/variant]`. */
  platforms: z.array(z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, 'must be <os>/<arch>[/<variant>]')).default([]),
  writeBack: z.object({
    target: z.enum(['kustomization', 'helmvalues', 'argocd-source']).default('kustomization'),
    /** kustomization: the directory holding kustomization.yaml; helmvalues / argocd-source: the file. Default from the Application's path. */
    path: z.string().min(1).optional(),
    kustomizeImageName: z.string().min(1).optional(),
    helm: z.object({ imageName: z.string().optional(), imageTag: z.string().optional(), imageSpec: z.string().optional() }).strict().optional(),
    /** The branch pushed to (pull-request mode: the pull request's head, default `image-updater-<application>`). */
    branch: z.string().min(1).optional(),
    pullRequest: ImagePullRequestSpec.optional(),
  }).strict().default({ target: 'kustomization' }),
}).strict();
export type TidewaterImagePolicySpec = z.infer<typeof TidewaterImagePolicySpec>;

export const TidewaterImagePolicy = z.object({
  apiVersion: z.literal('tidewater.dev/v1alpha1'),
  kind: z.literal('ImagePolicy'),
  metadata: ObjectMeta,
  spec: TidewaterImagePolicySpec,
});
export type TidewaterImagePolicy = z.infer<typeof TidewaterImagePolicy>;

/** Translates a validated Tidewater ImagePolicy; `sourcePath` is the Application's `spec.source.path`. */
export function imagePolicyFromTidewater(document: TidewaterImagePolicy, sourcePath: string): { policy: ImagePolicy; warnings: Array<{ field: string; detail: string }> } {
  const spec = document.spec;
  const warnings: Array<{ field: string; detail: string }> = [];
  const problems: string[] = [];
  if (spec.strategy === 'semver' && spec.constraint !== undefined && validRange(spec.constraint) === null) {
    problems.push('bad semver constraint');
    warnings.push({ field: 'spec.constraint', detail: 'is not a valid semver range; this policy updates nothing' });
  }
  if (spec.allowTags !== undefined) {
    try {
      new RegExp(spec.allowTags);
    } catch {
      problems.push('bad allowTags');
      warnings.push({ field: 'spec.allowTags', detail: 'is not a valid regular expression; this policy updates nothing' });
    }
  }
  const base = sourcePath.replace(/^\.\/?/, '').replace(/\/+$/, '');
  const writeBack = spec.writeBack;
  const target = writeBack.target === 'kustomization'
    ? { kind: 'kustomization' as const, path: writeBack.path ?? base }
    : writeBack.target === 'helmvalues'
      ? { kind: 'helmvalues' as const, file: writeBack.path ?? (base ? `${base}/values.yaml` : 'values.yaml') }
      : { kind: 'argocd-source' as const, file: writeBack.path ?? (base ? `${base}/.argocd-source-${spec.application}.yaml` : `.argocd-source-${spec.application}.yaml`) };
  if (target.kind === 'helmvalues' && !writeBack.helm) {
    problems.push('helmvalues without helm names');
    warnings.push({ field: 'spec.writeBack.helm', detail: 'is required for target helmvalues (imageSpec, or imageName and imageTag); this policy updates nothing' });
  }
  return {
    policy: {
      id: `tidewater:${document.metadata.name}`,
      origin: 'tidewater',
      app: spec.application,
      alias: document.metadata.name,
      image: normaliseImageName(spec.image),
      strategy: spec.strategy,
      ...(spec.constraint ? { constraint: spec.constraint } : {}),
      ...(spec.allowTags ? { allowTags: spec.allowTags } : {}),
      ignoreTags: spec.ignoreTags,
      forceUpdate: false,
      platforms: spec.platforms,
      ...(spec.minTagAgeSeconds !== undefined ? { minTagAgeSeconds: spec.minTagAgeSeconds } : {}),
      ...(writeBack.kustomizeImageName ? { kustomizeImageName: writeBack.kustomizeImageName } : {}),
      ...(writeBack.helm ? { helm: writeBack.helm } : {}),
      writeBack: {
        target,
        ...(writeBack.branch ?? writeBack.pullRequest ? { branch: writeBack.branch ?? `image-updater-${spec.application}` } : {}),
        ...(writeBack.pullRequest ? { pullRequest: pullRequestSettings(writeBack.pullRequest) } : {}),
      },
      ...(problems.length > 0 ? { disabledReason: problems.join('; ') } : {}),
    },
    warnings,
  };
}

/** The policy model's pull-request settings from the `writeBack.pullRequest` field. */
export function pullRequestSettings(spec: ImagePullRequestSpec): NonNullable<ImagePolicy['writeBack']['pullRequest']> {
  return { provider: spec.provider, apiUrl: spec.apiURL.replace(/\/+$/, ''), tokenRef: spec.tokenRef, ...(spec.repository ? { repository: spec.repository } : {}) };
}
