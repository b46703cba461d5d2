/**
 * The parts of Kargo's documents (kargo.akuity.io/v1alpha1) Tidewater translates into a Pipeline: `Project`
 * (its old `spec.promotionPolicies`, as seed 002 writes them), `ProjectConfig`, `Warehouse`, `Stage` (old
 * `subscriptions` / `promotionMechanisms` and current `requestedFreight` / `promotionTemplate`), `PromotionTask`
 * and `ClusterPromotionTask`. `z.object` on purpose: a field outside these schemas is warned by name and ignored.
 */
import { z } from 'zod';
import { ObjectMeta, ObjectName } from '../schema/object-meta.ts';
import { Duration } from './pipeline.ts';

export const kargoApiVersion = 'kargo.akuity.io/v1alpha1';
export const kargoKinds: readonly string[] = ['Project', 'ProjectConfig', 'Warehouse', 'Stage', 'PromotionTask', 'ClusterPromotionTask'];

const text = z.string().min(1);

export const KargoImageSubscription = z.object({
  repoURL: text,
  imageSelectionStrategy: z.enum(['SemVer', 'Lexical', 'NewestBuild', 'Digest']).optional(),
  constraint: text.optional(),
  /** Before Kargo v1.9. */
  semverConstraint: text.optional(),
  allowTags: text.optional(),
  allowTagsRegexes: z.array(text).optional(),
  ignoreTags: z.array(text).optional(),
});
export type KargoImageSubscription = z.infer<typeof KargoImageSubscription>;

export const KargoGitSubscription = z.object({
  repoURL: text,
  branch: text.optional(),
  commitSelectionStrategy: z.enum(['NewestFromBranch', 'SemVer', 'Lexical', 'NewestTag']).optional(),
  semverConstraint: text.optional(),
  includePaths: z.array(text).optional(),
  excludePaths: z.array(text).optional(),
});
export type KargoGitSubscription = z.infer<typeof KargoGitSubscription>;

export const KargoChartSubscription = z.object({ repoURL: text, name: text.optional(), semverConstraint: text.optional() });
export type KargoChartSubscription = z.infer<typeof KargoChartSubscription>;

const header = { apiVersion: z.literal(kargoApiVersion), metadata: ObjectMeta };

export const KargoProject = z.object({
  ...header,
  kind: z.literal('Project'),
  spec: z
    .object({
      /** Kargo before v1.x (and seed 002); `requirements` is seed 002's own addition. */
      promotionPolicies: z
        .array(z.object({ stage: ObjectName, autoPromotionEnabled: z.boolean().optional(), requirements: z.array(z.record(z.string(), z.unknown())).optional() }))
        .optional(),
    })
    .optional(),
});
export type KargoProject = z.infer<typeof KargoProject>;

export const KargoProjectConfig = z.object({
  ...header,
  kind: z.literal('ProjectConfig'),
  spec: z
    .object({
      promotionPolicies: z
        .array(
          z.object({
            stage: ObjectName.optional(),
            stageSelector: z.object({ name: text.optional(), matchLabels: z.record(z.string(), z.string()).optional() }).optional(),
            autoPromotionEnabled: z.boolean().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type KargoProjectConfig = z.infer<typeof KargoProjectConfig>;

export const KargoWarehouse = z.object({
  ...header,
  kind: z.literal('Warehouse'),
  spec: z.object({
    freightCreationPolicy: z.enum(['Automatic', 'Manual']).optional(),
    subscriptions: z
      .array(z.object({ name: text.optional(), image: KargoImageSubscription.optional(), git: KargoGitSubscription.optional(), chart: KargoChartSubscription.optional() }))
      .min(1),
  }),
});
export type KargoWarehouse = z.infer<typeof KargoWarehouse>;

/** `vars` of a promotion template, a PromotionTask (defaults) or a step running a task (its inputs). */
export const KargoVars = z.array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an identifier' }), value: z.string().optional() }));
export type KargoVars = z.infer<typeof KargoVars>;

export const KargoStep = z.object({
  uses: text.optional(),
  as: text.optional(),
  task: z.object({ name: ObjectName, kind: z.enum(['PromotionTask', 'ClusterPromotionTask']).optional() }).optional(),
  vars: KargoVars.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type KargoStep = z.infer<typeof KargoStep>;

export const KargoStage = z.object({
  ...header,
  kind: z.literal('Stage'),
  spec: z.object({
    /** Kargo before v0.6 (seed 002). */
    subscriptions: z
      .object({
        upstreamStages: z.array(z.object({ name: ObjectName })).optional(),
        warehouse: ObjectName.optional(),
        repos: z
          .object({ images: z.array(KargoImageSubscription).optional(), git: z.array(KargoGitSubscription).optional(), charts: z.array(KargoChartSubscription).optional() })
          .optional(),
      })
      .optional(),
    promotionMechanisms: z
      .object({
        gitRepoUpdates: z
          .array(
            z.object({
              repoURL: text,
              readBranch: text.optional(),
              writeBranch: text.optional(),
              kustomize: z.object({ images: z.array(z.object({ image: text, path: text })).min(1) }).optional(),
            }),
          )
          .optional(),
        argoCDAppUpdates: z.array(z.object({ appName: ObjectName, appNamespace: text.optional() })).optional(),
      })
      .optional(),
    /** Current Kargo. */
    requestedFreight: z
      .array(
        z.object({
          origin: z.object({ kind: z.literal('Warehouse'), name: ObjectName }),
          sources: z.object({
            direct: z.boolean().optional(),
            stages: z.array(ObjectName).optional(),
            requiredSoakTime: Duration.optional(),
            availabilityStrategy: z.enum(['OneOf', 'All']).optional(),
            autoPromotionOptions: z.object({ selectionPolicy: z.enum(['NewestFreight', 'MatchUpstream']).optional() }).optional(),
          }),
        }),
      )
      .optional(),
    promotionTemplate: z.object({ spec: z.object({ vars: KargoVars.optional(), steps: z.array(KargoStep).min(1) }) }).optional(),
  }),
});
export type KargoStage = z.infer<typeof KargoStage>;

export const KargoPromotionTask = z.object({
  ...header,
  kind: z.enum(['PromotionTask', 'ClusterPromotionTask']),
  spec: z.object({ vars: KargoVars.optional(), steps: z.array(KargoStep).min(1) }),
});
export type KargoPromotionTask = z.infer<typeof KargoPromotionTask>;
