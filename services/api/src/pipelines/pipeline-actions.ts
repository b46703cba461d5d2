import { randomUUID } from 'node:crypto';
import type { Pipeline, PipelineStage } from '@tidewater/config';
import { eventTypes } from '@tidewater/events';
import {
  parseStored, pipelineKeys, readFreight, readStageHistory, readStageRecords, resolveFreight, StoredApprovalRequest,
  StoredHold, type StoredApprovalDecision, type StoredCommitStatus, type StoredFreight, type StoredPromotionRequest,
} from '@tidewater/queues';
import type { Identity } from '../auth/identity.ts';
import { ApiError, conflict, invalidInput, notFound, permissionDenied } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';

// What the pipeline routes (and Slack's Approve / Reject buttons) do: write the api's records (requests, approvals,
// holds, commit statuses) and publish the event the promoter's engine reacts to. No step runs in a request.

export function pipelineNamed(ctx: RouteContext, name: string): Pipeline {
  const pipeline = (ctx.config().pipelines ?? []).find((candidate) => candidate.name === name);
  if (!pipeline) throw notFound(`pipeline ${name}`);
  return pipeline;
}

export function stageNamed(pipeline: Pipeline, name: string): PipelineStage {
  const stage = pipeline.spec.stages.find((candidate) => candidate.name === name);
  if (!stage) throw notFound(`stage ${name} of pipeline ${pipeline.name}`);
  return stage;
}

async function freightNamed(ctx: RouteContext, pipeline: Pipeline, reference: string, field = 'body.freight'): Promise<StoredFreight & { verifiedIn: string[] }> {
  const id = await resolveFreight(ctx.redis, pipeline.name, reference);
  const freight = id ? await readFreight(ctx.redis, pipeline.name, id) : undefined;
  if (!freight) throw new ApiError(404, 'NotFound', `${field}: freight ${reference} not found in pipeline ${pipeline.name}`, { field });
  return freight;
}

const eventData = (pipeline: Pipeline, stage: PipelineStage, freight: { id: string; alias: string }, extra: Record<string, unknown>) => ({
  pipeline: pipeline.name, stage: stage.name, freight: freight.id, alias: freight.alias, ...extra,
});

export interface PromotionAccepted {
  id: string;
  freight: string;
  alias: string;
  kind: 'manual' | 'rollback';
  state: 'waiting';
  startedAt: string;
  steps: never[];
}

async function setHold(ctx: RouteContext, pipeline: Pipeline, stage: PipelineStage, freight: StoredFreight, actor: string, reason: string): Promise<StoredHold> {
  const hold: StoredHold = { by: actor, at: new Date().toISOString(), reason };
  await ctx.redis.set(pipelineKeys.stageHold(pipeline.name, stage.name), JSON.stringify(hold));
  await ctx.events.publish({ type: eventTypes.stageHeld, subject: `${pipeline.name}/${stage.name}`, data: eventData(pipeline, stage, freight, { actor, reason }) });
  return hold;
}

async function request(ctx: RouteContext, pipeline: Pipeline, stage: PipelineStage, freight: StoredFreight, actor: string, kind: 'manual' | 'rollback', comment?: string): Promise<PromotionAccepted> {
  const stored: StoredPromotionRequest = { id: randomUUID(), freight: freight.id, actor, kind, at: new Date().toISOString(), ...(comment ? { comment } : {}) };
  await ctx.redis.set(pipelineKeys.promotionRequest(pipeline.name, stage.name), JSON.stringify(stored));
  await ctx.events.publish({
    type: eventTypes.promotionRequested, subject: `${pipeline.name}/${stage.name}`,
    data: eventData(pipeline, stage, freight, { actor, kind, promotion: stored.id, ...(comment ? { comment } : {}) }),
  });
  return { id: stored.id, freight: freight.id, alias: freight.alias, kind, state: 'waiting', startedAt: stored.at, steps: [] };
}

/** An operator promotes a freight; an older one than the stage runs now also holds the stage (automation must not undo it). */
export async function requestPromotion(ctx: RouteContext, identity: Identity, pipeline: Pipeline, stage: PipelineStage, reference: string, comment?: string): Promise<PromotionAccepted> {
  const freight = await freightNamed(ctx, pipeline, reference);
  const records = await readStageRecords(ctx.redis, pipeline.name, stage.name);
  const current = records.state.currentFreight ? await readFreight(ctx.redis, pipeline.name, records.state.currentFreight) : undefined;
  if (current && freight.createdAt < current.createdAt) {
    await setHold(ctx, pipeline, stage, freight, identity.subject, `older freight ${freight.alias} promoted by ${identity.subject}`);
  }
  return request(ctx, pipeline, stage, freight, identity.subject, 'manual', comment);
}

/** Rollback: the given freight (default: the one before the current) at once, bypassing gates and approvals, and a hold. */
export async function requestRollback(ctx: RouteContext, identity: Identity, pipeline: Pipeline, stage: PipelineStage, reference?: string): Promise<PromotionAccepted & { hold: StoredHold }> {
  let freight: StoredFreight | undefined;
  if (reference) freight = await freightNamed(ctx, pipeline, reference);
  else {
    const records = await readStageRecords(ctx.redis, pipeline.name, stage.name);
    const history = await readStageHistory(ctx.redis, pipeline.name, stage.name, 100);
    const previous = history.find((promotion) => promotion.state === 'succeeded' && promotion.freight !== records.state.currentFreight);
    freight = previous ? await readFreight(ctx.redis, pipeline.name, previous.freight) : undefined;
    if (!freight) throw conflict(`stage ${stage.name} of pipeline ${pipeline.name} has no earlier freight to roll back to`);
  }
  const hold = await setHold(ctx, pipeline, stage, freight, identity.subject, `rolled back to ${freight.alias} by ${identity.subject}`);
  return { ...(await request(ctx, pipeline, stage, freight, identity.subject, 'rollback')), hold };
}

export async function releaseHold(ctx: RouteContext, identity: Identity, pipeline: Pipeline, stage: PipelineStage): Promise<{ released: boolean }> {
  const hold = parseStored(StoredHold, await ctx.redis.get(pipelineKeys.stageHold(pipeline.name, stage.name)));
  const removed = await ctx.redis.del(pipelineKeys.stageHold(pipeline.name, stage.name));
  const records = await readStageRecords(ctx.redis, pipeline.name, stage.name);
  const current = records.state.currentFreight ? await readFreight(ctx.redis, pipeline.name, records.state.currentFreight) : undefined;
  await ctx.events.publish({
    type: eventTypes.stageReleased, subject: `${pipeline.name}/${stage.name}`,
    data: { pipeline: pipeline.name, stage: stage.name, freight: current?.id ?? 'none', alias: current?.alias ?? 'none', actor: identity.subject, ...(hold ? { reason: `hold by ${hold.by} released` } : {}) },
  });
  return { released: removed > 0 };
}

/**
 * An approver's decision. Refused with 403 — and audited (promotion.approval-denied) — without the approver role or
 * when the policy forbids approving one's own promotion; 409 when nothing waits for approval or it expired.
 */
export async function decideApproval(
  ctx: RouteContext, identity: Identity, pipeline: Pipeline, stage: PipelineStage, reference: string, decision: 'approve' | 'reject', comment?: string,
): Promise<{ freight: string; alias: string; decision: 'approve' | 'reject'; approvals: number; required: number }> {
  const freight = await freightNamed(ctx, pipeline, reference);
  const deny = async (reason: string, error: ApiError) => {
    await ctx.events.publish({
      type: eventTypes.promotionApprovalDenied, subject: `${pipeline.name}/${stage.name}`,
      data: eventData(pipeline, stage, freight, { actor: identity.subject, reason }),
    });
    throw error;
  };
  const permission = { resource: 'approvals' as const, action: 'approve', object: `${pipeline.name}/${stage.name}` };
  const rbac = await ctx.rbac();
  if (!rbac.can(identity, permission)) await deny(`${identity.subject} lacks ${permission.resource}, ${permission.action}, ${permission.object}`, permissionDenied(permission));
  const policy = stage.approval;
  if (!policy) throw conflict(`stage ${stage.name} of pipeline ${pipeline.name} needs no approval`);
  if (policy.role && policy.role !== 'approver' && !(await rbac.hasRole(identity, policy.role)) && !(await rbac.hasRole(identity, 'admin'))) {
    await deny(`${identity.subject} does not have the role ${policy.role}`, new ApiError(403, 'PermissionDenied', `approving in stage ${stage.name} needs the role ${policy.role}`));
  }
  const raw = await ctx.redis.hget(pipelineKeys.approvalRequests(pipeline.name, stage.name), freight.id);
  const pending = parseStored(StoredApprovalRequest, raw);
  if (!pending || pending.state !== 'pending') throw conflict(`no pending approval request for ${freight.alias} in stage ${stage.name}${pending ? ` (it is ${pending.state})` : ''}`);
  if (Date.parse(pending.expiresAt) <= Date.now()) {
    await deny(`the approval request for ${freight.alias} expired at ${pending.expiresAt}`, conflict(`the approval request for ${freight.alias} in stage ${stage.name} expired at ${pending.expiresAt}`));
  }
  if ((policy.forbidSelfApproval ?? true) && pending.requestedBy === identity.subject) {
    await deny(`${identity.subject} requested this promotion and may not approve it`, new ApiError(403, 'PermissionDenied', `${identity.subject} requested the promotion of ${freight.alias} to ${stage.name}: self-approval is forbidden`));
  }
  const stored: StoredApprovalDecision = { user: identity.subject, at: new Date().toISOString(), decision, ...(comment ? { comment } : {}) };
  await ctx.redis.hset(pipelineKeys.approvalDecisions(pipeline.name, stage.name), `${freight.id}\n${identity.subject}`, JSON.stringify(stored));
  await ctx.events.publish({
    type: decision === 'approve' ? eventTypes.promotionApproved : eventTypes.promotionRejected, subject: `${pipeline.name}/${stage.name}`,
    data: eventData(pipeline, stage, freight, { actor: identity.subject, ...(comment ? { comment } : {}), via: identity.via }),
  });
  const decisions = await ctx.redis.hgetall(pipelineKeys.approvalDecisions(pipeline.name, stage.name));
  const approvals = Object.entries(decisions).filter(([field, value]) => field.startsWith(`${freight.id}\n`) && value.includes('"decision":"approve"')).length;
  return { freight: freight.id, alias: freight.alias, decision, approvals, required: policy.required ?? 1 };
}

/** A commit status from an external system (GitOps Promoter's CommitStatus), for `commitStatus` gates. */
export async function setCommitStatus(
  ctx: RouteContext, identity: Identity, pipeline: Pipeline, input: { key: string; sha?: string; freight?: string; state: StoredCommitStatus['state']; description?: string },
): Promise<StoredCommitStatus> {
  if (!input.sha === !input.freight) throw invalidInput('body', 'give exactly one of sha or freight');
  const subject = input.sha ?? (await freightNamed(ctx, pipeline, input.freight!)).id;
  const status: StoredCommitStatus = {
    key: input.key, subject, state: input.state, at: new Date().toISOString(), actor: identity.subject, ...(input.description ? { description: input.description } : {}),
  };
  await ctx.redis.hset(pipelineKeys.commitStatuses(pipeline.name), `${input.key}\n${subject}`, JSON.stringify(status));
  await ctx.events.publish({
    type: eventTypes.commitStatusSet, subject: pipeline.name,
    data: { pipeline: pipeline.name, freight: input.freight ? subject : 'none', alias: 'none', actor: identity.subject, reason: `${input.key}=${input.state}`, ...(input.sha ? { revision: input.sha } : {}) },
  });
  return status;
}
