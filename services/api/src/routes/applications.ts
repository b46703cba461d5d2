import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventsStreamKey } from '@tidewater/events';
import { applyImageOverride, readAppStates, readBundle, readImageOverride, readSyncHistory, type StoredHistoryEntry } from '@tidewater/queues';
import { apiKeys } from '../auth/api-keys.ts';
import { invalidInput, notFound } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { Application, ApplicationList, errorResponses, OperationState, ResourceStatus, RevisionHistory } from '../state/application-schema.ts';
import { applicationView, resourcesOf, revisionHistoryOf } from '../state/application-view.ts';
import { parseLabelSelector, SelectorError } from '../state/label-selector.ts';
import { streamEntryOf } from '../stream/event-fanout.ts';

const AppName = z.object({ name: z.string().min(1).max(253) });
const tags = ['applications'];
import { security } from '../security.ts';

/** The latest operation requested through the API for an app, as `status.operationState`. */
export async function operationStateOf(ctx: RouteContext, app: string): Promise<OperationState | undefined> {
  const raw = await ctx.redis.get(apiKeys.operation(app));
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const recorded = z.object({ jobId: z.string(), actor: z.string().optional() }).safeParse(value);
  if (!recorded.success) return undefined;
  const operation = await ctx.control.operation(recorded.data.jobId);
  if (!operation) return undefined;
  return {
    operation: { kind: operation.kind, jobId: operation.jobId, initiatedBy: recorded.data.actor ? { username: recorded.data.actor } : {} },
    phase: operation.phase,
    ...(operation.message ? { message: operation.message } : {}),
    ...(operation.startedAt ? { startedAt: operation.startedAt } : {}),
    ...(operation.finishedAt ? { finishedAt: operation.finishedAt } : {}),
    ...(operation.result !== undefined ? { result: operation.result } : {}),
  };
}

/** Builds one application's full view: state, history and the operation it runs. */
export async function loadApplication(ctx: RouteContext, name: string): Promise<Application> {
  const configured = ctx.application(name);
  const [[state], history, operation, override] = await Promise.all([
    readAppStates(ctx.redis, [name]), readSyncHistory(ctx.redis, name), operationStateOf(ctx, name), readImageOverride(ctx.redis, name),
  ]);
  // Image Updater's write-back-method argocd: the spec as rendered (the promoter's override applied), and a condition saying so.
  const app = override ? { ...configured, spec: { ...configured.spec, source: applyImageOverride(configured.spec.source, override) } } : configured;
  const view = applicationView(app, state, { history: history.entries, unreadableHistory: history.unreadable.length, ...(operation ? { operation } : {}) });
  if (override && override.images.length > 0) {
    view.status.conditions.push({
      type: 'ImageOverride',
      message: `write-back-method argocd: ${override.images.map((entry) => `${entry.image}:${entry.tag}`).join(', ')} set by the promoter (no Git commit), applied over spec.source at ${override.updatedAt}`,
    });
  }
  return view;
}

/** The bundle of a revision the app synced (from its history), or of its latest sync; 404 when none is cached. */
async function bundleOf(ctx: RouteContext, name: string, revision?: string) {
  const { entries } = await readSyncHistory(ctx.redis, name);
  const candidates = entries.filter((entry): entry is StoredHistoryEntry & { bundleKey: string } => Boolean(entry.bundleKey)
    && (!revision || entry.revision === revision || (revision.length >= 7 && entry.revision.startsWith(revision))));
  for (const entry of candidates) {
    const bundle = await readBundle(ctx.redis, entry.bundleKey);
    if (bundle) return bundle;
  }
  throw notFound(revision
    ? `manifests of ${name} at ${revision} (not in the kept history, or its rendered bundle expired)`
    : `manifests of ${name} (no sync with a cached rendered bundle)`);
}

/** Argo CD's read routes of applications: list, get, managed resources, manifests, history, revision metadata (the resource tree: application-live.ts). */
export function registerApplicationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/api/v1/applications', {
    schema: {
      tags, security, summary: 'List applications the caller may get (argocd app list)',
      querystring: z.object({
        project: z.union([z.string(), z.array(z.string())]).optional().describe('only these projects (repeatable)'),
        selector: z.string().optional().describe('label selector, e.g. team=web,tier!=db'),
        name: z.string().optional().describe('only the application of this name'),
        limit: z.coerce.number().int().min(1).max(5_000).optional().describe('page size'),
        continue: z.string().regex(/^\d+$/).optional().describe('continue token from the previous page'),
        search: z.string().max(253).optional().describe('Tidewater: only apps whose name contains this text (case-insensitive)'),
        health: z.union([z.string(), z.array(z.string())]).optional().describe('Tidewater: only apps with one of these health statuses (repeatable)'),
        sync: z.union([z.string(), z.array(z.string())]).optional().describe('Tidewater: only apps with one of these sync statuses (repeatable)'),
      }),
      response: { 200: ApplicationList, ...errorResponses },
    },
  }, async (request, reply) => {
    const { query } = request;
    const identity = ctx.identity(request);
    const rbac = await ctx.rbac();
    const projects = query.project === undefined ? undefined : new Set([query.project].flat());
    let matches: (labels: Record<string, string> | undefined) => boolean = () => true;
    if (query.selector) {
      try {
        matches = parseLabelSelector(query.selector);
      } catch (error) {
        if (error instanceof SelectorError) throw invalidInput('querystring.selector', error.message);
        throw error;
      }
    }
    const search = query.search?.toLowerCase();
    let visible = ctx.config().applications.filter((candidate) => (!projects || projects.has(candidate.spec.project))
      && (!query.name || candidate.metadata.name === query.name)
      && (!search || candidate.metadata.name.toLowerCase().includes(search))
      && matches(candidate.metadata.labels)
      && rbac.can(identity, { resource: 'applications', action: 'get', object: `${candidate.spec.project}/${candidate.metadata.name}` }));
    if (query.health !== undefined || query.sync !== undefined) {
      // Status filters read the (cached) views of every visible app before paging, so pages count only matches.
      const healths = query.health === undefined ? undefined : new Set([query.health].flat());
      const syncs = query.sync === undefined ? undefined : new Set([query.sync].flat());
      const views = await ctx.applications.listJson(visible);
      visible = visible.filter((_, index) => {
        const { status } = JSON.parse(views[index]) as { status: { health: { status: string }; sync: { status: string } } };
        return (!healths || healths.has(status.health.status)) && (!syncs || syncs.has(status.sync.status));
      });
    }
    const offset = Number(query.continue ?? 0);
    const page = query.limit ? visible.slice(offset, offset + query.limit) : visible.slice(offset);
    const remaining = visible.length - offset - page.length;
    const metadata = remaining > 0 ? { continue: String(offset + page.length), remainingItemCount: remaining } : {};
    if (ctx.validateResponses) {
      const states = await readAppStates(ctx.redis, page.map((candidate) => candidate.metadata.name));
      return { metadata, items: page.map((candidate, index) => applicationView(candidate, states[index])) };
    }
    // Pre-serialised views from the cache, joined: the same JSON the schema describes, without re-encoding it.
    const items = await ctx.applications.listJson(page);
    return reply.type('application/json; charset=utf-8').send(`{"metadata":${JSON.stringify(metadata)},"items":[${items.join(',')}]}` as never);
  });

  routes.get('/api/v1/applications/:name', {
    schema: {
      tags, security, summary: 'Get an application with its status (argocd app get)',
      params: AppName,
      querystring: z.object({
        refresh: z.enum(['normal', 'hard']).optional().describe('compare desired and live state again now (a diff by the syncer) before answering'),
      }),
      response: { 200: Application, ...errorResponses },
    },
  }, async (request) => {
    const application = ctx.application(request.params.name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${application.metadata.name}` });
    const view = await loadApplication(ctx, request.params.name);
    if (request.query.refresh) {
      // Argo CD's refresh re-compares desired with live state: here the syncer's diff does that comparison.
      const diff = await ctx.control.request({ kind: 'diff', app: request.params.name, trace: {} });
      const objects = (diff as { objects?: Array<{ status?: string }> }).objects ?? [];
      const differs = objects.some((object) => object.status !== 'unchanged');
      view.status.sync.status = differs ? 'OutOfSync' : view.status.sync.status === 'Unknown' ? 'Unknown' : 'Synced';
      view.status.reconciledAt = new Date().toISOString();
    }
    return view;
  });

  routes.get('/api/v1/applications/:name/managed-resources', {
    schema: {
      tags, security, summary: 'Desired state of each managed resource (from the latest synced bundle) with its sync and health',
      params: AppName,
      response: {
        200: z.object({ items: z.array(ResourceStatus.extend({ targetState: z.string() })) }).meta({ id: 'ManagedResourcesResponse' }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    const application = ctx.application(request.params.name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${application.metadata.name}` });
    const [[state], bundle] = await Promise.all([readAppStates(ctx.redis, [request.params.name]), bundleOf(ctx, request.params.name)]);
    const statuses = new Map(resourcesOf(state).map((resource) => [`${resource.kind}|${resource.namespace ?? ''}|${resource.name}`, resource]));
    return {
      items: bundle.objects.map((object) => {
        const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
        const known = statuses.get(`${object.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`);
        return {
          group, version: object.apiVersion.split('/').at(-1) as string, kind: object.kind,
          ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}), name: object.metadata.name,
          status: known?.status ?? 'Unknown', ...(known?.health ? { health: known.health } : {}), targetState: JSON.stringify(object),
        };
      }),
    };
  });

  routes.get('/api/v1/applications/:name/manifests', {
    schema: {
      tags, security, summary: 'Rendered manifests of a synced revision (default: the latest sync)',
      params: AppName,
      querystring: z.object({ revision: z.string().min(1).optional() }),
      response: {
        200: z.object({ manifests: z.array(z.string()), revision: z.string(), sourceType: z.string() }).meta({ id: 'ManifestResponse' }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    const application = ctx.application(request.params.name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${application.metadata.name}` });
    const bundle = await bundleOf(ctx, request.params.name, request.query.revision);
    return { manifests: bundle.objects.map((object) => JSON.stringify(object)), revision: bundle.revision, sourceType: bundle.renderer };
  });

  routes.get('/api/v1/applications/:name/history', {
    schema: {
      tags, security, summary: 'Recorded syncs of an application, newest first (argocd app history)',
      params: AppName,
      response: {
        200: z.object({
          history: z.array(RevisionHistory),
          paused: z.object({ revision: z.string(), by: z.string().optional(), at: z.string().optional(), reason: z.string().optional() }).optional(),
        }).meta({ id: 'ApplicationHistory' }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    const application = ctx.application(request.params.name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${application.metadata.name}` });
    const [{ entries }, [state]] = await Promise.all([readSyncHistory(ctx.redis, request.params.name), readAppStates(ctx.redis, [request.params.name])]);
    const pause = state.pause;
    return {
      history: entries.filter((entry) => entry.phase !== 'Superseded').map(revisionHistoryOf),
      ...(pause ? { paused: { revision: pause.revision, ...(pause.by ? { by: pause.by } : {}), ...(pause.at ? { at: pause.at } : {}), ...(pause.reason ? { reason: pause.reason } : {}) } } : {}),
    };
  });

  routes.get('/api/v1/applications/:name/revisions/:revision/metadata', {
    schema: {
      tags, security, summary: 'What Tidewater knows of a revision: the webhook that announced it (author, time, ref) and its syncs',
      params: AppName.extend({ revision: z.string().min(1).max(64) }),
      response: {
        200: z.object({
          revision: z.string(), author: z.string().optional(), date: z.string().optional(), ref: z.string().optional(),
          message: z.string().optional().describe('the commit message, as the push webhook carried it'),
          syncs: z.array(RevisionHistory),
        }).meta({ id: 'RevisionMetadata' }),
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { name, revision } = request.params;
    const application = ctx.application(name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${application.metadata.name}` });
    // The API holds no Git credentials: metadata comes from the webhook events and the sync history.
    const matches = (candidate: unknown) => typeof candidate === 'string' && (candidate === revision || (revision.length >= 7 && candidate.startsWith(revision)));
    const { entries } = await readSyncHistory(ctx.redis, name);
    const syncs = entries.filter((entry) => matches(entry.revision));
    const recent = await ctx.redis.xrevrange(eventsStreamKey, '+', '-', 'COUNT', 10_000);
    const announced = recent.map(([id, fields]) => streamEntryOf(id, fields)?.event)
      .find((event) => event?.type === 'dev.tidewater.webhook.received' && matches(event.data.revision) && (event.data.apps as unknown[] | undefined)?.includes(name));
    if (!announced && syncs.length === 0) throw notFound(`revision ${revision} of ${name}`);
    const fullRevision = (announced?.data.revision as string | undefined) ?? syncs[0].revision;
    return {
      revision: fullRevision,
      ...(typeof announced?.data.actor === 'string' ? { author: announced.data.actor } : {}),
      ...(announced ? { date: announced.time } : {}),
      ...(typeof announced?.data.ref === 'string' ? { ref: announced.data.ref } : {}),
      ...(typeof announced?.data.commitMessage === 'string' ? { message: announced.data.commitMessage } : {}),
      ...(typeof announced?.data.commitAuthor === 'string' ? { author: announced.data.commitAuthor } : {}),
      syncs: syncs.map(revisionHistoryOf),
    };
  });
}
