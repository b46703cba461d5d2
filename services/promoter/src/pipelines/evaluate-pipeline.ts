import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ArgoApplication, Pipeline, PipelineStage, TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import {
  parseStored, pipelineKeys, readCommitStatuses, readFreight, readStageRecords, StoredFreight, type StageRecords, type StoredApproval,
  type StoredApprovalRequest, type StoredGateWait, type StoredPromotion, StoredStageState,
} from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { healthyAfterPromotion, observeApps, type IsAncestor } from './app-observation.ts';
import { durationMs } from './duration.ts';
import { evaluateGate, gateName, type GateContext, type UpstreamView } from './gates.ts';
import { defaultSteps } from './steps/default-steps.ts';
import { runPromotionSteps, type StepRunDeps } from './steps/run-steps.ts';

export interface EvaluateDeps extends StepRunDeps {
  events: EventPublisher;
  logger: Logger;
  isAncestor: IsAncestor;
  evaluateExpression?: GateContext['evaluateExpression'];
  now?: () => number;
}

export interface EvaluationResult {
  /** The earliest time a time-based gate, an approval expiry or a pending health observation wants another look (epoch ms). */
  recheckAt?: number;
}

const historyLength = 100;
const defaultExpiry = '24h';
const systemActor = 'tidewater-promoter';

/** Stages in an order where every upstream stage comes first (the loader refuses cycles). */
export function stagesInOrder(pipeline: Pipeline): PipelineStage[] {
  const done = new Set<string>();
  const ordered: PipelineStage[] = [];
  const remaining = [...pipeline.spec.stages];
  while (remaining.length > 0) {
    const index = remaining.findIndex((stage) => (stage.freightFrom.stages ?? []).every((name) => done.has(name) || !pipeline.spec.stages.some((candidate) => candidate.name === name)));
    const [next] = remaining.splice(index >= 0 ? index : 0, 1);
    done.add(next.name);
    ordered.push(next);
  }
  return ordered;
}

async function saveState(redis: Redis, pipeline: string, stage: string, state: StoredStageState): Promise<void> {
  await redis.set(pipelineKeys.stageState(pipeline, stage), JSON.stringify({ ...state, updatedAt: new Date().toISOString() }));
}

/**
 * One look at a pipeline (the caller holds its lock): for each stage in order, observe the current promotion's health
 * (verification), take an operator's request, or find the newest eligible freight and move it through gates and
 * approvals to a promotion. Nothing blocks here: a gate that is not passed is recorded as waiting, with its reason.
 */
export async function evaluatePipeline(deps: EvaluateDeps, pipeline: Pipeline): Promise<EvaluationResult> {
  const now = deps.now ?? Date.now;
  const config = deps.config();
  let recheckAt: number | undefined;
  const wantRecheck = (at: number) => { recheckAt = recheckAt === undefined ? at : Math.min(recheckAt, at); };
  const freightCache = new Map<string, StoredFreight & { verifiedIn: string[] }>();
  const freightOf = async (id: string) => {
    let freight = freightCache.get(id);
    if (!freight) {
      freight = await readFreight(deps.redis, pipeline.name, id);
      if (freight) freightCache.set(id, freight);
    }
    return freight;
  };
  const records = new Map<string, StageRecords>();
  for (const stage of pipeline.spec.stages) records.set(stage.name, await readStageRecords(deps.redis, pipeline.name, stage.name));
  const allStages = pipeline.spec.stages.map((stage) => ({ name: stage.name, state: records.get(stage.name)!.state }));
  const commitStatuses = await readCommitStatuses(deps.redis, pipeline.name);

  for (const stage of stagesInOrder(pipeline)) {
    const applications = stage.applications.map((name) => config.applications.find((candidate) => candidate.metadata.name === name)).filter((found): found is ArgoApplication => Boolean(found));
    const stored = records.get(stage.name)!;
    const state = stored.state;
    const publish = (type: string, freight: { id: string; alias: string }, extra: Record<string, unknown> = {}) => deps.events.publish({
      type, subject: `${pipeline.name}/${stage.name}`, data: { pipeline: pipeline.name, stage: stage.name, freight: freight.id, alias: freight.alias, ...extra },
    });

    // 1. Verification of the current freight: healthy after the promotion's own sync, then the verification gates.
    if (state.promotion?.state === 'succeeded' && state.currentFreight === state.promotion.freight && !state.verifiedAt) {
      const freight = await freightOf(state.currentFreight);
      if (freight) {
        if (!state.healthySince) {
          const verdict = await healthyAfterPromotion({ redis: deps.redis, isAncestor: deps.isAncestor }, applications, state.promotion);
          if (verdict.healthy) state.healthySince = new Date(now()).toISOString();
          else wantRecheck(now() + 1_000);
        }
        if (state.healthySince) {
          const context: GateContext = {
            freight, upstream: [{ name: stage.name, state, apps: await observeApps(deps.redis, stage.applications) }], commitStatuses, now: now(), fetch: deps.fetch ?? globalThis.fetch,
            stage: stage.name, stages: allStages,
            ...(deps.evaluateExpression ? { evaluateExpression: deps.evaluateExpression } : {}), ...(deps.env ? { env: deps.env } : {}),
          };
          let verified = true;
          for (const gate of stage.verification ?? []) {
            const verdict = await evaluateGate(gate, context);
            if (!verdict.passed) {
              verified = false;
              if (verdict.recheckAt) wantRecheck(verdict.recheckAt);
              break;
            }
          }
          if (verified) {
            state.verifiedAt = new Date(now()).toISOString();
            await deps.redis.sadd(pipelineKeys.verifiedIn(pipeline.name, freight.id), stage.name);
            freightCache.delete(freight.id);
            deps.logger.info({ pipeline: pipeline.name, stage: stage.name, freight: freight.alias }, 'freight verified in stage');
          }
        }
        await saveState(deps.redis, pipeline.name, stage.name, state);
      }
    }

    // 2. An operator's promotion or rollback goes first; a held stage takes nothing else.
    const upstreamNames = stage.freightFrom.stages ?? [];
    if (stored.request) {
      const request = stored.request;
      const freight = await freightOf(request.freight);
      if (!freight) {
        await deps.redis.del(pipelineKeys.promotionRequest(pipeline.name, stage.name));
        deps.logger.warn({ pipeline: pipeline.name, stage: stage.name, freight: request.freight }, 'promotion request names an unknown freight: dropped');
      } else if (request.kind === 'rollback' || !stage.approval) {
        await deps.redis.del(pipelineKeys.promotionRequest(pipeline.name, stage.name));
        await promote(deps, pipeline, stage, freight, state, { kind: request.kind, actor: request.actor, id: request.id, ...(request.comment ? { comment: request.comment } : {}), approvals: [] });
        continue;
      } else {
        const approvals = await approvalsFor(deps, pipeline, stage, stored, freight, request.actor, wantRecheck, publish);
        if (approvals === 'rejected') await deps.redis.del(pipelineKeys.promotionRequest(pipeline.name, stage.name));
        else if (approvals) {
          await deps.redis.del(pipelineKeys.promotionRequest(pipeline.name, stage.name));
          await promote(deps, pipeline, stage, freight, state, { kind: 'manual', actor: request.actor, id: request.id, ...(request.comment ? { comment: request.comment } : {}), approvals });
          continue;
        }
      }
    }
    if (stored.hold) {
      if (state.waiting.length > 0) {
        // A hold ends every gate wait at once.
        state.waiting = [];
        await saveState(deps.redis, pipeline.name, stage.name, state);
      }
      continue;
    }
    if (!stage.autoPromote && !stage.approval) continue;

    // 3. The newest freight eligible here: any freight for a stage fed by sources, else one verified in every upstream stage.
    const candidate = await newestEligible(deps.redis, pipeline.name, upstreamNames, freightOf);
    const current = state.currentFreight ? await freightOf(state.currentFreight) : undefined;
    if (!candidate || candidate.id === current?.id || (current && candidate.createdAt <= current.createdAt)) {
      if (state.waiting.length > 0) {
        state.waiting = [];
        await saveState(deps.redis, pipeline.name, stage.name, state);
      }
      continue;
    }
    if (state.promotion?.freight === candidate.id && state.promotion.state === 'failed' && state.promotion.kind === 'auto') {
      // A failed automatic promotion is not repeated in a loop: an operator promotes again.
      continue;
    }
    const upstream: UpstreamView[] = await Promise.all(upstreamNames.map(async (name) => ({
      name, state: records.get(name)?.state ?? StoredStageState.parse({}),
      apps: await observeApps(deps.redis, pipeline.spec.stages.find((candidateStage) => candidateStage.name === name)?.applications ?? []),
    })));
    const context: GateContext = {
      freight: candidate, upstream, commitStatuses, now: now(), fetch: deps.fetch ?? globalThis.fetch, stage: stage.name, stages: allStages,
      ...(deps.evaluateExpression ? { evaluateExpression: deps.evaluateExpression } : {}), ...(deps.env ? { env: deps.env } : {}),
    };
    const waiting: StoredGateWait[] = [];
    let allPassed = true;
    for (const gate of stage.gates ?? []) {
      const name = gateName(gate);
      const verdict = await evaluateGate(gate, context);
      const previous = state.waiting.find((entry) => entry.freight === candidate.id && entry.gate === name);
      const since = previous && previous.passed === verdict.passed ? previous.since : new Date(now()).toISOString();
      waiting.push({ freight: candidate.id, gate: name, passed: verdict.passed, reason: verdict.reason, since });
      if (!previous || previous.passed !== verdict.passed) {
        await publish(verdict.passed ? eventTypes.gatePassed : eventTypes.gateFailed, candidate, { gate: name, reason: verdict.reason });
      }
      if (verdict.recheckAt) wantRecheck(verdict.recheckAt);
      if (!verdict.passed) allPassed = false;
    }
    if (!allPassed) {
      // Health may change without an event at the same status: look again shortly while a gate waits on it.
      if (waiting.some((entry) => !entry.passed && /healthy|health/i.test(entry.reason + entry.gate))) wantRecheck(now() + 1_000);
      state.waiting = waiting;
      await saveState(deps.redis, pipeline.name, stage.name, state);
      continue;
    }
    state.waiting = waiting;
    let approvals: StoredApproval[] = [];
    if (stage.approval) {
      const granted = await approvalsFor(deps, pipeline, stage, stored, candidate, systemActor, wantRecheck, publish);
      if (!granted || granted === 'rejected') {
        await saveState(deps.redis, pipeline.name, stage.name, state);
        continue;
      }
      approvals = granted;
    }
    await promote(deps, pipeline, stage, candidate, state, { kind: 'auto', actor: candidate.actor ?? systemActor, id: randomUUID(), approvals });
  }
  return recheckAt !== undefined ? { recheckAt } : {};
}

async function newestEligible(
  redis: Redis, pipeline: string, upstream: readonly string[], freightOf: (id: string) => Promise<(StoredFreight & { verifiedIn: string[] }) | undefined>,
): Promise<(StoredFreight & { verifiedIn: string[] }) | undefined> {
  const ids = await redis.zrevrange(pipelineKeys.freightIndex(pipeline), 0, 199);
  for (const id of ids) {
    const freight = await freightOf(id);
    if (freight && upstream.every((name) => freight.verifiedIn.includes(name))) return freight;
  }
  return undefined;
}

/**
 * The approvals a freight has for a stage, or undefined while it waits: a request is made (promotion.requested) if none
 * is pending; approvals count while neither they nor the request have expired; one rejection ends the request.
 */
async function approvalsFor(
  deps: EvaluateDeps, pipeline: Pipeline, stage: PipelineStage, stored: StageRecords, freight: StoredFreight, requestedBy: string,
  wantRecheck: (at: number) => void, publish: (type: string, freight: { id: string; alias: string }, extra?: Record<string, unknown>) => Promise<unknown>,
): Promise<StoredApproval[] | 'rejected' | undefined> {
  const policy = stage.approval!;
  const now = (deps.now ?? Date.now)();
  const expiresAfter = durationMs(policy.expiresAfter ?? defaultExpiry);
  const key = pipelineKeys.approvalRequests(pipeline.name, stage.name);
  let request = stored.approvalRequests.find((candidate) => candidate.freight === freight.id);
  if (request && request.state === 'pending' && Date.parse(request.expiresAt) <= now) {
    request = { ...request, state: 'expired' };
    await deps.redis.hset(key, freight.id, JSON.stringify(request));
  }
  if (!request || (request.state === 'expired' && requestedBy !== systemActor) || (request.state === 'promoted' && requestedBy !== systemActor)) {
    request = { freight: freight.id, requestedBy, requestedAt: new Date(now).toISOString(), expiresAt: new Date(now + expiresAfter).toISOString(), state: 'pending' };
    await deps.redis.hset(key, freight.id, JSON.stringify(request));
    await publish(eventTypes.promotionRequested, freight, { actor: requestedBy, reason: `${policy.required ?? 1} approval(s) needed to promote ${freight.alias} to ${stage.name}`, kind: requestedBy === systemActor ? 'auto' : 'manual' });
  }
  if (request.state === 'rejected') return 'rejected';
  if (request.state !== 'pending') return undefined;
  const decisions = stored.decisions.filter((decision) => decision.freight === freight.id && decision.at >= request.requestedAt && Date.parse(decision.at) + expiresAfter > now);
  if (decisions.some((decision) => decision.decision === 'reject')) {
    await deps.redis.hset(key, freight.id, JSON.stringify({ ...request, state: 'rejected' } satisfies StoredApprovalRequest));
    return 'rejected';
  }
  const approvals = decisions.filter((decision) => decision.decision === 'approve').map(({ user, at, comment }) => ({ user, at, ...(comment ? { comment } : {}) }));
  if (approvals.length >= (policy.required ?? 1)) {
    await deps.redis.hset(key, freight.id, JSON.stringify({ ...request, state: 'promoted' } satisfies StoredApprovalRequest));
    return approvals;
  }
  wantRecheck(Date.parse(request.expiresAt));
  return undefined;
}

/** Runs the stage's steps for a freight, recording the promotion, its steps' outputs, the stage's new freight and the events. */
async function promote(
  deps: EvaluateDeps, pipeline: Pipeline, stage: PipelineStage, freight: StoredFreight, state: StoredStageState,
  how: { kind: StoredPromotion['kind']; actor: string; id: string; comment?: string; approvals: StoredApproval[] },
): Promise<void> {
  const log = deps.logger.child({ pipeline: pipeline.name, stage: stage.name, freight: freight.alias, promotion: how.id });
  const publish = (type: string, extra: Record<string, unknown>) => deps.events.publish({
    type, subject: `${pipeline.name}/${stage.name}`,
    data: { pipeline: pipeline.name, stage: stage.name, freight: freight.id, alias: freight.alias, promotion: how.id, actor: how.actor, kind: how.kind, ...extra },
  });
  let promotion: StoredPromotion = {
    id: how.id, pipeline: pipeline.name, stage: stage.name, freight: freight.id, kind: how.kind, actor: how.actor, ...(how.comment ? { comment: how.comment } : {}),
    state: 'running', startedAt: new Date().toISOString(), steps: [], revisions: [], approvals: how.approvals,
  };
  state.promotion = promotion;
  state.waiting = [];
  await saveState(deps.redis, pipeline.name, stage.name, state);
  await publish(eventTypes.promotionStarted, { approvals: how.approvals, ...(how.comment ? { comment: how.comment } : {}) });
  log.info({ kind: how.kind, actor: how.actor }, 'promotion started');
  let outcome: Awaited<ReturnType<typeof runPromotionSteps>>;
  try {
    const steps = stage.steps && stage.steps.length > 0 ? stage.steps : defaultSteps(deps.config(), pipeline, stage, freight);
    outcome = await runPromotionSteps(deps, { pipeline, stage, freight, actor: how.actor, promotionId: how.id }, steps, async (progress) => {
      promotion = { ...promotion, steps: progress };
      state.promotion = promotion;
      await saveState(deps.redis, pipeline.name, stage.name, state);
    });
  } catch (error) {
    outcome = { steps: promotion.steps, revisions: [], failure: (error as Error).message };
  }
  const finishedAt = new Date().toISOString();
  if (outcome.failure) {
    promotion = { ...promotion, steps: outcome.steps, revisions: outcome.revisions, state: 'failed', finishedAt, reason: outcome.failure };
    state.promotion = promotion;
    log.warn({ reason: outcome.failure }, 'promotion failed');
  } else {
    const revision = outcome.revisions.at(-1)?.revision;
    promotion = { ...promotion, steps: outcome.steps, revisions: outcome.revisions, state: 'succeeded', finishedAt, ...(revision ? { revision } : {}) };
    state.promotion = promotion;
    state.currentFreight = freight.id;
    delete state.healthySince;
    delete state.verifiedAt;
    log.info({ revision }, 'promotion succeeded');
  }
  await saveState(deps.redis, pipeline.name, stage.name, state);
  await deps.redis.multi().lpush(pipelineKeys.stageHistory(pipeline.name, stage.name), JSON.stringify(promotion)).ltrim(pipelineKeys.stageHistory(pipeline.name, stage.name), 0, historyLength - 1).exec();
  if (promotion.state === 'failed') await publish(eventTypes.promotionFailed, { reason: promotion.reason });
  else await publish(eventTypes.promotionSucceeded, { approvals: how.approvals, ...(promotion.revision ? { revision: promotion.revision } : {}) });
}

/** The freight stored under an id (tests, status). */
export async function storedFreight(redis: Redis, pipeline: string, id: string): Promise<StoredFreight | undefined> {
  return parseStored(StoredFreight, await redis.get(pipelineKeys.freight(pipeline, id)));
}
