/**
 * The `config` of each promotion step (Kargo's field names, so a Kargo promotion template reads the same), checked
 * at load. Values may hold Kargo-style `${{ ... }}` templates (`${{ ctx.stage }}`, `${{ outputs.commit.commit }}`),
 * resolved by the promoter when the step runs; the schemas only require the fields a step cannot run without.
 */
import { z } from 'zod';
import type { PromotionStepName } from './pipeline.ts';
import { SecretRef } from '../schema/secret-ref.ts';

const text = z.string().min(1);
/** A number, or a `${{ ... }}` template giving one when the step runs. */
const numberOrTemplate = z.union([z.number().int().min(1), z.string().regex(/\$\{\{.*\}\}/, { error: 'must be a number or a ${{ }} template' })]);

export const GitCloneConfig = z.strictObject({
  repoURL: text,
  checkout: z
    .array(
      z.strictObject({ branch: text.optional(), commit: text.optional(), tag: text.optional(), create: z.boolean().optional(), path: text })
        .superRefine((checkout, context) => {
          const refs = (['branch', 'commit', 'tag'] as const).filter((ref) => checkout[ref] !== undefined);
          if (refs.length > 1) context.addIssue({ code: 'custom', path: [refs[1]], message: `only one of branch, commit and tag (found ${refs.join(' and ')})` });
          // A tag or commit is checked out read-only: there is no branch to create.
          if (checkout.create && (checkout.commit !== undefined || checkout.tag !== undefined)) context.addIssue({ code: 'custom', path: ['create'], message: 'applies to a branch checkout only' });
        }),
    )
    .min(1),
});
export type GitCloneConfig = z.infer<typeof GitCloneConfig>;

export const KustomizeSetImageConfig = z.strictObject({
  /** Directory holding the kustomization.yaml. */
  path: text,
  /** Images to set; the tag or digest defaults to the freight's for that image. */
  images: z.array(z.strictObject({ image: text, tag: text.optional(), digest: text.optional(), newName: text.optional() })).min(1),
});
export type KustomizeSetImageConfig = z.infer<typeof KustomizeSetImageConfig>;

export const YamlUpdateConfig = z.strictObject({
  /** The YAML file (e.g. Helm values). */
  path: text,
  /** Dotted keys (`image.tag`) and their new values. */
  updates: z.array(z.strictObject({ key: text, value: z.union([z.string(), z.number(), z.boolean()]) })).min(1),
});
export type YamlUpdateConfig = z.infer<typeof YamlUpdateConfig>;

export const GitCommitConfig = z.strictObject({
  path: text,
  /** Default: a message listing the freight's artifacts. */
  message: text.optional(),
});
export type GitCommitConfig = z.infer<typeof GitCommitConfig>;

export const GitPushConfig = z.strictObject({
  path: text,
  targetBranch: text.optional(),
  generateTargetBranch: z.boolean().optional(),
  maxAttempts: z.number().int().min(1).max(50).optional(),
  /** Tidewater never force-pushes: a push that does not fast-forward is rebased and retried. */
  force: z.literal(false, { error: 'force-push is not supported: Tidewater rebases and retries, never forces' }).optional(),
});
export type GitPushConfig = z.infer<typeof GitPushConfig>;

/**
 * A forge's API for `git-open-pr` / `git-wait-for-pr`, in the step itself: `provider`, `apiURL` (`apiUrl` is accepted
 * too) and `tokenRef` (a secret reference, sent only to apiURL's origin). Without apiURL and tokenRef the step borrows
 * the pull-request settings of an image policy writing to the same repository.
 */
const forgeFields = {
  provider: z.enum(['github', 'gitlab', 'gitea']).optional(),
  apiURL: z.url().optional(),
  apiUrl: z.url().optional(),
  tokenRef: SecretRef.optional(),
  /** `owner/repo` (GitLab: the project path); default the path of repoURL. */
  repository: text.optional(),
};
const forgeComplete = (config: { provider?: string; apiURL?: string; apiUrl?: string; tokenRef?: unknown }, context: z.RefinementCtx) => {
  const api = config.apiURL ?? config.apiUrl;
  if ((api === undefined) !== (config.tokenRef === undefined)) {
    context.addIssue({ code: 'custom', path: [api === undefined ? 'apiURL' : 'tokenRef'], message: 'is required with ' + (api === undefined ? 'tokenRef' : 'apiURL') + ' (the step names its forge with provider, apiURL and tokenRef together)' });
  } else if (api !== undefined && config.provider === undefined) {
    context.addIssue({ code: 'custom', path: ['provider'], message: 'is required with apiURL and tokenRef (github, gitlab or gitea)' });
  }
};

export const GitOpenPrConfig = z.strictObject({
  repoURL: text,
  sourceBranch: text,
  targetBranch: text.optional(),
  title: text.optional(),
  labels: z.array(text).optional(),
  ...forgeFields,
}).superRefine(forgeComplete);
export type GitOpenPrConfig = z.infer<typeof GitOpenPrConfig>;

export const GitWaitForPrConfig = z.strictObject({
  repoURL: text,
  prNumber: numberOrTemplate,
  /** How often the forge is asked (default 5s). */
  pollInterval: z.string().regex(/^(\d+(ms|s|m|h))+$/, { error: 'must be a duration such as 5s or 1m' }).optional(),
  /** The step fails when the pull request is not merged by then (default 4m, below the pipeline evaluation's lock). */
  timeout: z.string().regex(/^(\d+(ms|s|m|h))+$/, { error: 'must be a duration such as 30s or 4m' }).optional(),
  ...forgeFields,
}).superRefine(forgeComplete);
export type GitWaitForPrConfig = z.infer<typeof GitWaitForPrConfig>;

export const ArgocdUpdateConfig = z.strictObject({
  apps: z
    .array(
      z.strictObject({
        name: text,
        namespace: text.optional(),
        sources: z
          .array(z.strictObject({ repoURL: text, desiredRevision: text.optional(), updateTargetRevision: z.boolean().optional() }))
          .optional(),
      }),
    )
    .min(1),
});
export type ArgocdUpdateConfig = z.infer<typeof ArgocdUpdateConfig>;

/** Move an environment branch to the freight's commit (GitOps Promoter's model), fast-forward or with a merge commit. */
export const BranchPromoteConfig = z.strictObject({
  repoURL: text,
  /** The branch whose commit is promoted; default: the freight's commit on its source branch. */
  sourceBranch: text.optional(),
  targetBranch: text,
  strategy: z.enum(['fast-forward', 'merge']).optional(),
});
export type BranchPromoteConfig = z.infer<typeof BranchPromoteConfig>;

export const stepConfigSchemas: Record<PromotionStepName, z.ZodType> = {
  'git-clone': GitCloneConfig,
  'kustomize-set-image': KustomizeSetImageConfig,
  'yaml-update': YamlUpdateConfig,
  'git-commit': GitCommitConfig,
  'git-push': GitPushConfig,
  'git-open-pr': GitOpenPrConfig,
  'git-wait-for-pr': GitWaitForPrConfig,
  'argocd-update': ArgocdUpdateConfig,
  'branch-promote': BranchPromoteConfig,
};

export interface StepConfigProblem {
  /** Path inside the step's `config` (empty for the config itself). */
  path: Array<string | number>;
  detail: string;
}

/** The problems of one step's config against its schema ([] when it is valid). */
export function checkStepConfig(uses: PromotionStepName, config: Record<string, unknown> | undefined): StepConfigProblem[] {
  const parsed = stepConfigSchemas[uses].safeParse(config ?? {}, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
  });
  if (parsed.success) return [];
  const problems: StepConfigProblem[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) problems.push({ path: [...path, key], detail: 'unknown field' });
    else problems.push({ path, detail: issue.message });
  }
  return problems;
}
