import type { Redis } from 'ioredis';
import { z } from 'zod';

// Promotion pipelines' state in Redis: written by the promoter (freight, stage state, promotions) and by the api
// (holds, approvals, promotion requests, commit statuses), read by both. Each record is parsed with its schema.

/** Keys of one pipeline's state. `p` is the pipeline name, `s` a stage name. */
export const pipelineKeys = {
  /** One freight: `StoredFreight` JSON (immutable once written). */
  freight: (p: string, id: string) => `tidewater:pipeline:${p}:freight:${id}`,
  /** Every freight of the pipeline: a sorted set of ids, score = creation time (ms). */
  freightIndex: (p: string) => `tidewater:pipeline:${p}:freight-index`,
  /** Stages a freight is verified in: a Redis SET of stage names. */
  verifiedIn: (p: string, id: string) => `tidewater:pipeline:${p}:freight:${id}:verified`,
  /** The promoter's view of a stage: `StoredStageState` JSON. */
  stageState: (p: string, s: string) => `tidewater:pipeline:${p}:stage:${s}:state`,
  /** Finished promotions of a stage, newest first: a LIST of `StoredPromotion` JSON. */
  stageHistory: (p: string, s: string) => `tidewater:pipeline:${p}:stage:${s}:history`,
  /** Set while automatic promotion into the stage is held: `StoredHold` JSON. */
  stageHold: (p: string, s: string) => `tidewater:pipeline:${p}:stage:${s}:hold`,
  /** Approval requests of a stage: a HASH freight id → `StoredApprovalRequest` JSON. */
  approvalRequests: (p: string, s: string) => `tidewater:pipeline:${p}:stage:${s}:approval-requests`,
  /** Approvers' decisions: a HASH `<freight>\n<user>` → `StoredApprovalDecision` JSON (one per user and freight). */
  approvalDecisions: (p: string, s: string) => `tidewater:pipeline:${p}:stage:${s}:approval-decisions`,
  /** An operator's promotion (or rollback) waiting for the promoter: `StoredPromotionRequest` JSON. */
  promotionRequest: (p: string, s: string) => `tidewater:pipeline:${p}:stage:${s}:request`,
  /** Commit statuses set through the api: a HASH `<key>\n<sha or freight id>` → `StoredCommitStatus` JSON. */
  commitStatuses: (p: string) => `tidewater:pipeline:${p}:commit-statuses`,
} as const;

export const StoredFreight = z.object({
  id: z.string(),
  alias: z.string(),
  pipeline: z.string(),
  createdAt: z.string(),
  /** The source whose new artifact made this freight. */
  source: z.string(),
  images: z.array(z.object({ source: z.string().optional(), repoURL: z.string(), tag: z.string(), digest: z.string().optional() })),
  commits: z.array(z.object({ source: z.string().optional(), repoURL: z.string(), id: z.string(), branch: z.string().optional(), message: z.string().optional(), author: z.string().optional() })),
  charts: z.array(z.object({ source: z.string().optional(), repoURL: z.string(), name: z.string(), version: z.string() })),
  /** Who or what caused it (the push's commit author, `registry`). */
  actor: z.string().optional(),
});
export type StoredFreight = z.infer<typeof StoredFreight>;

export const PromotionStepState = z.object({
  uses: z.string(),
  as: z.string().optional(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
  output: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
});
export type PromotionStepState = z.infer<typeof PromotionStepState>;

export const StoredApproval = z.object({ user: z.string(), at: z.string(), comment: z.string().optional() });
export type StoredApproval = z.infer<typeof StoredApproval>;

export const StoredPromotion = z.object({
  id: z.string(),
  pipeline: z.string(),
  stage: z.string(),
  freight: z.string(),
  kind: z.enum(['auto', 'manual', 'rollback']),
  actor: z.string().optional(),
  comment: z.string().optional(),
  state: z.enum(['waiting', 'running', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  steps: z.array(PromotionStepState),
  /** The commit that holds the promoted change on each written repository/branch (the last one pushed). */
  revision: z.string().optional(),
  /** Repository+branch heads after the steps: the stage's Applications must sync one of these (or later). */
  revisions: z.array(z.object({ repoURL: z.string(), branch: z.string(), revision: z.string() })).default([]),
  approvals: z.array(StoredApproval).default([]),
  reason: z.string().optional(),
});
export type StoredPromotion = z.infer<typeof StoredPromotion>;

export const StoredGateWait = z.object({ freight: z.string(), gate: z.string(), passed: z.boolean(), reason: z.string(), since: z.string() });
export type StoredGateWait = z.infer<typeof StoredGateWait>;

export const StoredStageState = z.object({
  currentFreight: z.string().optional(),
  /** The latest promotion into the stage (running or finished). */
  promotion: StoredPromotion.optional(),
  /** When the current freight was first seen healthy after its promotion's own sync (soak counts from here). */
  healthySince: z.string().optional(),
  /** When the current freight passed this stage's verification (then it is in the freight's verifiedIn). */
  verifiedAt: z.string().optional(),
  /** Gates the stage's candidate freight waits at, with since when. */
  waiting: z.array(StoredGateWait).default([]),
  updatedAt: z.string().optional(),
});
export type StoredStageState = z.infer<typeof StoredStageState>;

export const StoredHold = z.object({ by: z.string(), at: z.string(), reason: z.string() });
export type StoredHold = z.infer<typeof StoredHold>;

export const StoredApprovalRequest = z.object({
  freight: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  state: z.enum(['pending', 'approved', 'rejected', 'expired', 'promoted']),
});
export type StoredApprovalRequest = z.infer<typeof StoredApprovalRequest>;

export const StoredApprovalDecision = z.object({
  user: z.string(), at: z.string(), comment: z.string().optional(), decision: z.enum(['approve', 'reject']),
});
export type StoredApprovalDecision = z.infer<typeof StoredApprovalDecision>;

export const StoredPromotionRequest = z.object({
  id: z.string(),
  freight: z.string(),
  actor: z.string(),
  comment: z.string().optional(),
  kind: z.enum(['manual', 'rollback']),
  at: z.string(),
});
export type StoredPromotionRequest = z.infer<typeof StoredPromotionRequest>;

export const StoredCommitStatus = z.object({
  key: z.string(),
  /** A commit sha or a freight id. */
  subject: z.string(),
  state: z.enum(['pending', 'success', 'failure']),
  description: z.string().optional(),
  at: z.string(),
  actor: z.string().optional(),
});
export type StoredCommitStatus = z.infer<typeof StoredCommitStatus>;

/** Parses a stored record; a record that does not parse is treated as absent (and never cast). */
export function parseStored<T extends z.ZodType>(schema: T, raw: string | null | undefined): z.infer<T> | undefined {
  if (raw === null || raw === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** One freight with the stages it is verified in. */
export async function readFreight(redis: Redis, pipeline: string, id: string): Promise<(StoredFreight & { verifiedIn: string[] }) | undefined> {
  const [raw, verified] = await Promise.all([redis.get(pipelineKeys.freight(pipeline, id)), redis.smembers(pipelineKeys.verifiedIn(pipeline, id))]);
  const freight = parseStored(StoredFreight, raw);
  return freight ? { ...freight, verifiedIn: verified.sort() } : undefined;
}

/** Freight ids newest first, from `cursor` (an offset) on. */
export async function listFreightIds(redis: Redis, pipeline: string, options: { limit: number; offset?: number }): Promise<{ ids: string[]; total: number }> {
  const offset = options.offset ?? 0;
  const [ids, total] = await Promise.all([
    redis.zrevrange(pipelineKeys.freightIndex(pipeline), offset, offset + options.limit - 1),
    redis.zcard(pipelineKeys.freightIndex(pipeline)),
  ]);
  return { ids, total };
}

/** A freight given by id, id prefix (≥ 8 characters) or alias. */
export async function resolveFreight(redis: Redis, pipeline: string, reference: string): Promise<string | undefined> {
  if (/^[0-9a-f]{64}$/.test(reference)) return (await redis.exists(pipelineKeys.freight(pipeline, reference))) ? reference : undefined;
  const ids = await redis.zrevrange(pipelineKeys.freightIndex(pipeline), 0, 999);
  if (/^[0-9a-f]{8,63}$/.test(reference)) return ids.find((id) => id.startsWith(reference));
  for (const id of ids) {
    const freight = parseStored(StoredFreight, await redis.get(pipelineKeys.freight(pipeline, id)));
    if (freight?.alias === reference) return id;
  }
  return undefined;
}

export interface StageRecords {
  state: StoredStageState;
  hold?: StoredHold;
  request?: StoredPromotionRequest;
  approvalRequests: StoredApprovalRequest[];
  decisions: Array<StoredApprovalDecision & { freight: string }>;
}

/** Everything stored about one stage, each record parsed with its schema. */
export async function readStageRecords(redis: Redis, pipeline: string, stage: string): Promise<StageRecords> {
  const [state, hold, request, requests, decisions] = await Promise.all([
    redis.get(pipelineKeys.stageState(pipeline, stage)),
    redis.get(pipelineKeys.stageHold(pipeline, stage)),
    redis.get(pipelineKeys.promotionRequest(pipeline, stage)),
    redis.hgetall(pipelineKeys.approvalRequests(pipeline, stage)),
    redis.hgetall(pipelineKeys.approvalDecisions(pipeline, stage)),
  ]);
  const parsedHold = parseStored(StoredHold, hold);
  const parsedRequest = parseStored(StoredPromotionRequest, request);
  return {
    state: parseStored(StoredStageState, state) ?? StoredStageState.parse({}),
    ...(parsedHold ? { hold: parsedHold } : {}),
    ...(parsedRequest ? { request: parsedRequest } : {}),
    approvalRequests: Object.values(requests).flatMap((raw) => parseStored(StoredApprovalRequest, raw) ?? []),
    decisions: Object.entries(decisions).flatMap(([field, raw]) => {
      const decision = parseStored(StoredApprovalDecision, raw);
      return decision ? [{ ...decision, freight: field.split('\n')[0] }] : [];
    }),
  };
}

/** Finished promotions of a stage, newest first. */
export async function readStageHistory(redis: Redis, pipeline: string, stage: string, limit = 50): Promise<StoredPromotion[]> {
  const raw = await redis.lrange(pipelineKeys.stageHistory(pipeline, stage), 0, limit - 1);
  return raw.flatMap((entry) => parseStored(StoredPromotion, entry) ?? []);
}

/** Commit statuses of a pipeline, by `<key>\n<subject>`. */
export async function readCommitStatuses(redis: Redis, pipeline: string): Promise<StoredCommitStatus[]> {
  const raw = await redis.hgetall(pipelineKeys.commitStatuses(pipeline));
  return Object.values(raw).flatMap((entry) => parseStored(StoredCommitStatus, entry) ?? []);
}
