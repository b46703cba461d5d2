import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readAppStates } from '@tidewater/queues';
import { ApiError, notFound } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { security } from '../security.ts';
import { errorResponses, KubernetesEvent, ResourceNode } from '../state/application-schema.ts';
import { resourcesOf } from '../state/application-view.ts';
import { LiveTree, treeNodesOf } from '../state/resource-tree.ts';

const AppName = z.object({ name: z.string().min(1).max(253) });
const tags = ['applications'];
const KubernetesEvents = z.object({ kind: z.literal('events'), items: z.array(KubernetesEvent) });

/**
 * The application routes answered from the live cluster, through the syncer's control queue (the api holds no
 * cluster credentials): the resource tree with the live children of the app's objects, and their Kubernetes Events.
 */
export function registerApplicationLiveRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/api/v1/applications/:name/resource-tree', {
    schema: {
      tags, security,
      summary: 'The resources of an application with their health, and the live objects they own (ReplicaSets, Pods, …) with parentRefs',
      params: AppName,
      response: { 200: z.object({ nodes: z.array(ResourceNode) }).meta({ id: 'ApplicationTree' }), ...errorResponses },
    },
  }, async (request) => {
    const application = ctx.application(request.params.name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${application.metadata.name}` });
    const [[state], live] = await Promise.all([readAppStates(ctx.redis, [request.params.name]), liveTreeOf(ctx, request.params.name)]);
    return { nodes: treeNodesOf(resourcesOf(state), live) };
  });

  routes.get('/api/v1/applications/:name/events', {
    schema: {
      tags, security,
      summary: 'Kubernetes Events of an application\'s objects and their live children, or of one of them (newest first)',
      params: AppName,
      querystring: z.object({
        resourceName: z.string().min(1).max(253).optional().describe('only events of the object of this name'),
        resourceNamespace: z.string().max(63).optional().describe('its namespace (default: the app\'s destination namespace)'),
        resourceUID: z.string().max(64).optional().describe('only events of the object with this uid'),
      }),
      response: {
        200: z.object({ metadata: z.object({}), items: z.array(KubernetesEvent) }).meta({ id: 'KubernetesEventList' }),
        // The events are read by the syncer: an answer it cannot parse (502), no syncer (503), or none in time (504).
        ...errorResponses, 502: errorResponses[400], 503: errorResponses[400], 504: errorResponses[400],
      },
    },
  }, async (request) => {
    const { name } = request.params;
    const application = ctx.application(name);
    await ctx.authorize(request, { resource: 'applications', action: 'get', object: `${application.spec.project}/${application.metadata.name}` });
    const { resourceName, resourceNamespace, resourceUID } = request.query;
    if (resourceName) {
      // Only the app's own namespaces: a viewer of this app asks about its objects, never another namespace's.
      const namespace = resourceNamespace || application.spec.destination.namespace;
      const [state] = await readAppStates(ctx.redis, [name]);
      const namespaces = new Set([application.spec.destination.namespace, ...resourcesOf(state).map((resource) => resource.namespace)].filter(Boolean));
      if (!namespace || !namespaces.has(namespace)) {
        throw notFound(`resource ${resourceName} in namespace ${namespace || '(none given)'} of application ${name} (its namespaces: ${[...namespaces].sort().join(', ') || 'none'})`);
      }
    }
    const answer = await ctx.control.request({
      kind: 'events', app: name, trace: {},
      ...(resourceName ? { resourceName } : {}), ...(resourceNamespace ? { resourceNamespace } : {}), ...(resourceUID ? { resourceUID } : {}),
    });
    const parsed = KubernetesEvents.safeParse(answer);
    if (!parsed.success) throw new ApiError(502, 'BadGateway', `the syncer's events of ${name} could not be read: ${parsed.error.issues[0]?.message ?? 'unexpected answer'}`);
    return { metadata: {}, items: parsed.data.items };
  });
}

/** The syncer's live tree of the app, or undefined when it cannot answer now (the tree then shows managed objects only). */
async function liveTreeOf(ctx: RouteContext, app: string): Promise<LiveTree | undefined> {
  try {
    const answer = await ctx.control.request({ kind: 'resource-tree', app, trace: {} });
    const parsed = LiveTree.safeParse(answer);
    if (parsed.success) return parsed.data;
    ctx.logger.warn({ app, reason: parsed.error.issues[0]?.message }, 'the syncer answered the resource tree in an unexpected shape');
  } catch (error) {
    ctx.logger.warn({ app, reason: (error as Error).message }, 'live children of the resource tree unavailable');
  }
  return undefined;
}
