import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listFreightIds, readFreight, readStageRecords } from '@tidewater/queues';
import { invalidInput } from '../errors/api-errors.ts';
import { decideApproval, pipelineNamed, releaseHold, requestPromotion, requestRollback, setCommitStatus, stageNamed } from '../pipelines/pipeline-actions.ts';
import { FreightView, freightView, PipelineStatus, pipelineStatus, PipelineSummary, PromotionView } from '../pipelines/pipeline-view.ts';
import type { RouteContext } from '../route-context.ts';
import { security } from '../security.ts';
import { errorResponses } from '../state/application-schema.ts';

const tags = ['pipelines'];
const PipelineParams = z.object({ name: z.string().min(1).max(253) });
const StageParams = z.object({ name: z.string().min(1).max(253), stage: z.string().min(1).max(253) });
const FreightReference = z.string().min(1).max(128).describe('freight id, id prefix (8+ hex characters) or alias');
const PromoteBody = z.strictObject({ freight: FreightReference, comment: z.string().max(2_000).optional() }).meta({ id: 'PromoteRequest' });
const ApprovalBody = z.strictObject({ freight: FreightReference, comment: z.string().max(2_000).optional() }).meta({ id: 'ApprovalRequest' });
const RollbackBody = z.strictObject({ freight: FreightReference.optional() }).meta({ id: 'RollbackStageRequest' });
const CommitStatusBody = z.strictObject({
  key: z.string().min(1).max(253), sha: z.string().regex(/^[0-9a-f]{7,64}$/).optional(), freight: FreightReference.optional(),
  state: z.enum(['pending', 'success', 'failure']), description: z.string().max(1_000).optional(),
}).meta({ id: 'CommitStatusRequest' });
const Accepted = z.object({ promotion: PromotionView });
const Hold = z.object({ by: z.string(), at: z.string(), reason: z.string() });

/** Promotion pipelines (docs/api.md): status, freight, promote / approve / reject / rollback / release, commit statuses. */
export function registerPipelineRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const canGet = async (request: FastifyRequest, pipeline: string) => (await ctx.rbac()).can(ctx.identity(request), { resource: 'pipelines', action: 'get', object: `${pipeline}/*` });
  const authorizeGet = (request: FastifyRequest, pipeline: string) => ctx.authorize(request, { resource: 'pipelines', action: 'get', object: `${pipeline}/*` });

  routes.get('/api/v1/pipelines', {
    schema: { tags, security, summary: 'The promotion pipelines the caller may get, with each stage\'s current freight', response: { 200: z.object({ items: z.array(PipelineSummary) }), ...errorResponses } },
  }, async (request) => {
    const items: PipelineSummary[] = [];
    for (const pipeline of ctx.config().pipelines ?? []) {
      if (!(await canGet(request, pipeline.name))) continue;
      items.push({
        name: pipeline.name, origin: pipeline.origin,
        stages: await Promise.all(pipeline.spec.stages.map(async (stage) => {
          const records = await readStageRecords(ctx.redis, pipeline.name, stage.name);
          const current = records.state.currentFreight ? await readFreight(ctx.redis, pipeline.name, records.state.currentFreight) : undefined;
          return { name: stage.name, currentFreight: current?.alias ?? null, hold: Boolean(records.hold) };
        })),
      });
    }
    return { items };
  });

  routes.get('/api/v1/pipelines/:name', {
    schema: { tags, security, summary: 'A pipeline\'s stages: current freight, promotion, hold, waiting gates, pending approvals', params: PipelineParams, response: { 200: PipelineStatus, ...errorResponses } },
  }, async (request) => {
    const pipeline = pipelineNamed(ctx, request.params.name);
    await authorizeGet(request, pipeline.name);
    return pipelineStatus(ctx.redis, pipeline);
  });

  routes.get('/api/v1/pipelines/:name/freight', {
    schema: {
      tags, security, summary: 'A pipeline\'s freight, newest first', params: PipelineParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().regex(/^\d{1,9}$/).optional().describe('the nextCursor of the previous page') }),
      response: { 200: z.object({ items: z.array(FreightView), nextCursor: z.string().optional() }), ...errorResponses },
    },
  }, async (request) => {
    const pipeline = pipelineNamed(ctx, request.params.name);
    await authorizeGet(request, pipeline.name);
    const offset = Number(request.query.cursor ?? 0);
    const { ids, total } = await listFreightIds(ctx.redis, pipeline.name, { limit: request.query.limit, offset });
    const items = (await Promise.all(ids.map((id) => readFreight(ctx.redis, pipeline.name, id)))).flatMap((freight) => (freight ? [freightView(freight)] : []));
    const next = offset + ids.length;
    return { items, ...(next < total ? { nextCursor: String(next) } : {}) };
  });

  const authorizePromote = (request: FastifyRequest, pipeline: string, stage: string) => ctx.authorize(request, { resource: 'pipelines', action: 'promote', object: `${pipeline}/${stage}` });

  routes.post('/api/v1/pipelines/:name/stages/:stage/promote', {
    schema: { tags, security, summary: 'Promote a freight to a stage (an older freight than the stage runs also holds it)', params: StageParams, body: PromoteBody, response: { 202: Accepted, ...errorResponses } },
  }, async (request, reply) => {
    const pipeline = pipelineNamed(ctx, request.params.name);
    const stage = stageNamed(pipeline, request.params.stage);
    await authorizePromote(request, pipeline.name, stage.name);
    const promotion = await requestPromotion(ctx, ctx.identity(request), pipeline, stage, request.body.freight, request.body.comment);
    return reply.code(202).send({ promotion });
  });

  for (const decision of ['approve', 'reject'] as const) {
    routes.post(`/api/v1/pipelines/:name/stages/:stage/${decision}`, {
      schema: {
        tags, security, summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a freight waiting for approval in a stage (approver role; 403 is audited)`, params: StageParams, body: ApprovalBody,
        response: { 200: z.object({ freight: z.string(), alias: z.string(), decision: z.enum(['approve', 'reject']), approvals: z.number().int(), required: z.number().int() }), ...errorResponses },
      },
    }, async (request) => {
      const pipeline = pipelineNamed(ctx, request.params.name);
      const stage = stageNamed(pipeline, request.params.stage);
      return decideApproval(ctx, ctx.identity(request), pipeline, stage, request.body.freight, decision, request.body.comment);
    });
  }

  routes.post('/api/v1/pipelines/:name/stages/:stage/rollback', {
    schema: { tags, security, summary: 'Roll a stage back (default: the freight before the current) and hold it', params: StageParams, body: RollbackBody, response: { 202: Accepted.extend({ hold: Hold }), ...errorResponses } },
  }, async (request, reply) => {
    const pipeline = pipelineNamed(ctx, request.params.name);
    const stage = stageNamed(pipeline, request.params.stage);
    await authorizePromote(request, pipeline.name, stage.name);
    const { hold, ...promotion } = await requestRollback(ctx, ctx.identity(request), pipeline, stage, request.body?.freight);
    return reply.code(202).send({ promotion, hold });
  });

  routes.post('/api/v1/pipelines/:name/stages/:stage/release', {
    schema: { tags, security, summary: 'Release a stage\'s hold: automatic promotion resumes', params: StageParams, response: { 200: z.object({ released: z.boolean() }), ...errorResponses } },
  }, async (request) => {
    const pipeline = pipelineNamed(ctx, request.params.name);
    const stage = stageNamed(pipeline, request.params.stage);
    await authorizePromote(request, pipeline.name, stage.name);
    return releaseHold(ctx, ctx.identity(request), pipeline, stage);
  });

  routes.post('/api/v1/pipelines/:name/commit-statuses', {
    schema: {
      tags, security, summary: 'Set a commit status (for commitStatus gates) on a commit sha or a freight', params: PipelineParams, body: CommitStatusBody,
      response: { 200: z.object({ key: z.string(), subject: z.string(), state: z.string(), at: z.string() }), ...errorResponses },
    },
  }, async (request) => {
    const pipeline = pipelineNamed(ctx, request.params.name);
    await ctx.authorize(request, { resource: 'pipelines', action: 'update', object: `${pipeline.name}/*` });
    if (request.body.sha && request.body.freight) throw invalidInput('body', 'give exactly one of sha or freight');
    const { key, subject, state, at } = await setCommitStatus(ctx, ctx.identity(request), pipeline, request.body);
    return { key, subject, state, at };
  });
}
