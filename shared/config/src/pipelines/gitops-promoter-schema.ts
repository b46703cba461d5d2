/**
 * The parts of Argo GitOps Promoter's documents (promoter.argoproj.io/v1alpha1) Tidewater translates into a
 * Pipeline: `PromotionStrategy` (upstream form, and seed 002's form with `autoPromote`, `approvalRequired` and
 * `promotionPolicies[].successCondition`), `GitRepository`, `TimedCommitStatus` and `ArgoCDCommitStatus`.
 * `z.object` on purpose: a field outside these schemas is warned by name and ignored.
 */
import { z } from 'zod';
import { ObjectMeta, ObjectName } from '../schema/object-meta.ts';
import { Duration } from './pipeline.ts';

export const promoterApiVersion = 'promoter.argoproj.io/v1alpha1';
export const promoterKinds: readonly string[] = ['PromotionStrategy', 'GitRepository', 'TimedCommitStatus', 'ArgoCDCommitStatus'];

const text = z.string().min(1);
const header = { apiVersion: z.literal(promoterApiVersion), metadata: ObjectMeta };
const CommitStatusRefs = z.array(z.object({ key: text }));

export const PromoterEnvironment = z.object({
  branch: text,
  autoMerge: z.boolean().optional(),
  activeCommitStatuses: CommitStatusRefs.optional(),
  proposedCommitStatuses: CommitStatusRefs.optional(),
  /** Seed 002's form. */
  name: text.optional(),
  autoPromote: z.boolean().optional(),
  approvalRequired: z.boolean().optional(),
  promotionPolicies: z.array(z.object({ name: text.optional(), successCondition: text })).optional(),
});
export type PromoterEnvironment = z.infer<typeof PromoterEnvironment>;

export const PromotionStrategy = z.object({
  ...header,
  kind: z.literal('PromotionStrategy'),
  spec: z.object({
    gitRepositoryRef: z.object({ name: ObjectName }).optional(),
    activeCommitStatuses: CommitStatusRefs.optional(),
    proposedCommitStatuses: CommitStatusRefs.optional(),
    environments: z.array(PromoterEnvironment).min(1),
  }),
});
export type PromotionStrategy = z.infer<typeof PromotionStrategy>;

export const PromoterGitRepository = z.object({
  ...header,
  kind: z.literal('GitRepository'),
  spec: z.object({
    github: z.object({ owner: text, name: text, domain: text.optional() }).optional(),
    gitlab: z.object({ namespace: text, name: text, domain: text.optional() }).optional(),
    scmProviderRef: z.object({ name: text, kind: text.optional() }).optional(),
  }),
});
export type PromoterGitRepository = z.infer<typeof PromoterGitRepository>;

export const TimedCommitStatus = z.object({
  ...header,
  kind: z.literal('TimedCommitStatus'),
  spec: z.object({
    key: text.optional(),
    promotionStrategyRef: z.object({ name: ObjectName }),
    environments: z.array(z.object({ branch: text, duration: Duration })).min(1),
  }),
});
export type TimedCommitStatus = z.infer<typeof TimedCommitStatus>;

export const ArgoCDCommitStatus = z.object({
  ...header,
  kind: z.literal('ArgoCDCommitStatus'),
  spec: z.object({
    key: text.optional(),
    promotionStrategyRef: z.object({ name: ObjectName }),
  }),
});
export type ArgoCDCommitStatus = z.infer<typeof ArgoCDCommitStatus>;
