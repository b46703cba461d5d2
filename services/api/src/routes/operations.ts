import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventTypes } from '@tidewater/events';
import { readSyncHistory, type ControlJob } from '@tidewater/queues';
import { apiKeys } from '../auth/api-keys.ts';
import { invalidInput, notFound, unavailable } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { Application, errorResponses } from '../state/application-schema.ts';
import { loadApplication } from './applications.ts';

const AppName = z.object({ name: z.string().min(1).max(253) });
const tags = ['operations'];
import { security } from '../security.ts';

/** A resource to sync, as Argo CD's SyncOperationResource or as `group:kind:name` / `group:kind:namespace/name`. */
const SyncResource = z.union([
  z.string().regex(/^[^:]*:[^:]+:[^:]+$/, { error: 'must be group:kind:name or group:kind:namespace/name' }),
  z.strictObject({ group: z.string().default(''), kind: z.string().min(1), name: z.string().min(1), namespace: z.string().optional() }),
]);

const SyncRequest = z.strictObject({
  name: z.string().optional().describe('ignored when it equals the path name (Argo CD clients send it)'),
  revision: z.string().min(1).max(255).optional(),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  resources: z.array(SyncResource).max(1_000).optional(),
  syncOptions: z.union([z.array(z.string().min(1)), z.strictObject({ items: z.array(z.string().min(1)) })]).optional()
    .describe('Argo CD sync options, e.g. ServerSideApply=true (an array, or Argo CD\'s {items: [...]})'),
  strategy: z.strictObject({
    apply: z.strictObject({ force: z.boolean().optional() }).optional(),
    hook: z.strictObject({ force: z.boolean().optional() }).optional(),
  }).optional(),
}).meta({ id: 'SyncRequest' });

const RollbackRequest = z.strictObject({
  name: z.string().optional(),
  id: z.number().int().min(0).describe('the history id to roll back to (argocd app history); 0 = the one before the current'),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
}).meta({ id: 'RollbackRequest' });

/** Queues an operation and records it as the app's operation (status.operationState), then audits it. */
async function startOperation(ctx: RouteContext, request: FastifyRequest, job: ControlJob, details: Record<string, unknown> = {}): Promise<string> {
  const actor = ctx.identity(request).subject;
  const jobId = await ctx.control.enqueue(job);
  await ctx.redis.set(apiKeys.operation(job.app), JSON.stringify({ jobId, actor }), 'EX', 7 * 86_400);
  await ctx.events.publish({ type: eventTypes.operationRequested, data: { app: job.app, actor, operation: job.kind, jobId, ...details } });
  return jobId;
}

function checkName(bodyName: string | undefined, name: string) {
  if (bodyName !== undefined && bodyName !== name) throw invalidInput('body.name', `must be ${name} (the application in the path) or absent`);
}

/** Argo CD's operations (sync, rollback, terminate, server-side diff) plus Tidewater's resume, asked of the syncer through the control queue. */
export function registerOperationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post('/api/v1/applications/:name/sync', {
    schema: {
      tags, security, summary: 'Sync an application (argocd app sync); queued at once, followed in status.operationState',
      params: AppName, body: SyncRequest,
      response: { 200: Application, ...errorResponses, 409: errorResponses[400], 503: errorResponses[400] },
    },
  }, async (request) => {
    const { name } = request.params;
    const application = ctx.application(name);
    const body = request.body;
    checkName(body.name, name);
    // Refused before anything is queued when the caller's policy does not allow it.
    await ctx.authorize(request, { resource: 'applications', action: 'sync', object: `${application.spec.project}/${name}` });
    const syncOptions = Array.isArray(body.syncOptions) ? body.syncOptions : body.syncOptions?.items ?? [];
    const resources = body.resources?.map((resource) => typeof resource === 'string'
      ? resource : `${resource.group}:${resource.kind}:${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`);
    const force = body.strategy?.apply?.force ?? body.strategy?.hook?.force ?? false;
    await startOperation(ctx, request, {
      kind: 'sync', app: name, prune: body.prune ?? false, dryRun: body.dryRun ?? false, force, syncOptions,
      ...(body.revision ? { revision: body.revision } : {}), ...(resources ? { resources } : {}),
      actor: ctx.identity(request).subject, trace: {},
    }, { ...(body.revision ? { revision: body.revision } : {}), prune: body.prune ?? false, dryRun: body.dryRun ?? false });
    return loadApplication(ctx, name);
  });

  routes.post('/api/v1/applications/:name/rollback', {
    schema: {
      tags, security, summary: 'Roll back to a revision of the history (argocd app rollback); pauses automated sync',
      params: AppName, body: RollbackRequest,
      response: { 200: Application, ...errorResponses, 409: errorResponses[400], 503: errorResponses[400] },
    },
  }, async (request) => {
    const { name } = request.params;
    const application = ctx.application(name);
    checkName(request.body.name, name);
    await ctx.authorize(request, { resource: 'applications', action: 'rollback', object: `${application.spec.project}/${name}` });
    if (request.body.prune) throw invalidInput('body.prune', 'a rollback applies the earlier bundle as it was synced; prune is not supported');
    if (request.body.dryRun) throw invalidInput('body.dryRun', 'use server-side-diff?revision=<rev> to preview a rollback');
    let revision: string | undefined;
    if (request.body.id > 0) {
      const { entries } = await readSyncHistory(ctx.redis, name);
      const entry = entries.find((candidate) => candidate.id === request.body.id);
      if (!entry) throw notFound(`history id ${request.body.id} of ${name}`);
      revision = entry.revision;
    }
    await startOperation(ctx, request, { kind: 'rollback', app: name, ...(revision ? { revision } : {}), actor: ctx.identity(request).subject, trace: {} },
      revision ? { revision, historyId: request.body.id } : {});
    return loadApplication(ctx, name);
  });

  routes.post('/api/v1/applications/:name/resume', {
    schema: {
      tags, security, summary: 'Resume automated sync paused by a rollback (Tidewater)',
      params: AppName,
      response: { 200: z.looseObject({ resumed: z.boolean() }).meta({ id: 'ResumeResult' }), ...errorResponses, 409: errorResponses[400], 503: errorResponses[400], 504: errorResponses[400] },
    },
  }, async (request) => {
    const { name } = request.params;
    const application = ctx.application(name);
    await ctx.authorize(request, { resource: 'applications', action: 'sync', object: `${application.spec.project}/${name}` });
    const actor = ctx.identity(request).subject;
    await ctx.events.publish({ type: eventTypes.operationRequested, data: { app: name, actor, operation: 'resume' } });
    const answer = z.looseObject({ resumed: z.boolean() }).safeParse(await ctx.control.request({ kind: 'resume', app: name, actor, trace: {} }));
    if (!answer.success) throw unavailable('the syncer answered the resume request without saying whether it resumed (is it a matching version?)');
    return answer.data;
  });

  routes.delete('/api/v1/applications/:name/operation', {
    schema: {
      tags, security, summary: 'Terminate the running sync operation (argocd app terminate-op)',
      params: AppName,
      response: { 200: z.looseObject({}).meta({ id: 'TerminateResult' }), ...errorResponses, 409: errorResponses[400], 503: errorResponses[400], 504: errorResponses[400] },
    },
  }, async (request) => {
    const { name } = request.params;
    const application = ctx.application(name);
    await ctx.authorize(request, { resource: 'applications', action: 'sync', object: `${application.spec.project}/${name}` });
    const actor = ctx.identity(request).subject;
    await ctx.events.publish({ type: eventTypes.operationRequested, data: { app: name, actor, operation: 'terminate' } });
    const result = await ctx.control.request({ kind: 'terminate', app: name, actor, trace: {} });
    return (typeof result === 'object' && result !== null ? result : { result }) as Record<string, unknown>;
  });

  routes.get('/api/v1/applications/:name/server-side-diff', {
    schema: {
      tags, security, summary: 'Desired vs live state, computed by the syncer with a server-side dry-run apply (argocd app diff)',
      params: AppName,
      querystring: z.object({ revision: z.string().min(1).max(255).optional() }),
      response: {
        200: z.looseObject({
          app: z.string(), revision: z.string(), modified: z.boolean(),
          objects: z.array(z.looseObject({
            group: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(), status: z.string(), diff: z.string(),
            message: z.string().optional(),
            liveManifest: z.string().optional().describe('the whole live object as YAML, secrets masked'),
            desiredManifest: z.string().optional().describe('the whole desired object as YAML, secrets masked'),
          })),
        }).meta({ id: 'ServerSideDiffResponse' }),
        ...errorResponses, 409: errorResponses[400], 503: errorResponses[400], 504: errorResponses[400],
      },
    },
  }, async (request) => {
    const { name } = request.params;
    const application = ctx.application(name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${name}` });
    const result = await ctx.control.request({ kind: 'diff', app: name, ...(request.query.revision ? { revision: request.query.revision } : {}), trace: {} });
    const parsed = z.looseObject({
      app: z.string(), revision: z.string(),
      objects: z.array(z.looseObject({ group: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(), status: z.string(), diff: z.string() })),
    }).parse(result);
    return { ...parsed, modified: parsed.objects.some((object) => object.status !== 'unchanged') };
  });
}
