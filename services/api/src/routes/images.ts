import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { imagePoliciesOf, type ImagePolicy } from '@tidewater/config';
import { eventsStreamKey, eventTypes, ImageDiscoveredData, ImagePinnedData, ImageUpdatedData, ImageUpdateFailedData } from '@tidewater/events';
import type { Identity } from '../auth/identity.ts';
import { invalidInput } from '../errors/api-errors.ts';
import type { Rbac } from '../rbac/enforcer.ts';
import type { RouteContext } from '../route-context.ts';
import { security } from '../security.ts';
import { errorResponses } from '../state/application-schema.ts';
import { streamEntryOf } from '../stream/event-fanout.ts';

const tags = ['images'];
const maxStreamIdPart = 2n ** 64n - 1n;

export const ImagePolicyView = z.object({
  id: z.string(),
  origin: z.enum(['argocd-image-updater', 'flux', 'tidewater']),
  app: z.string(),
  alias: z.string(),
  image: z.string(),
  strategy: z.enum(['semver', 'newest-build', 'digest', 'alphabetical', 'numerical']),
  constraint: z.string().optional(),
  allowTags: z.string().optional(),
  ignoreTags: z.array(z.string()),
  platforms: z.array(z.string()),
  writeBack: z.object({
    target: z.object({
      kind: z.enum(['kustomization', 'helmvalues', 'argocd-source', 'setters']),
      path: z.string().optional(),
      file: z.string().optional(),
      marker: z.string().optional(),
    }),
    branch: z.string().optional(),
    baseBranch: z.string().optional(),
    repoUrl: z.string().optional(),
  }),
  disabledReason: z.string().optional(),
}).meta({ id: 'ImagePolicy' });
export type ImagePolicyView = z.infer<typeof ImagePolicyView>;

/** The image events and the schema of each one's data (shared/events/src/image-events.ts). */
const imageEventSchemas: Record<string, z.ZodType<Record<string, unknown>>> = {
  [eventTypes.imageDiscovered]: ImageDiscoveredData,
  [eventTypes.imageUpdated]: ImageUpdatedData,
  [eventTypes.imageUpdateFailed]: ImageUpdateFailedData,
  [eventTypes.imagePinned]: ImagePinnedData,
};

export const ImageUpdateEvent = z.object({
  streamId: z.string(),
  id: z.string(),
  type: z.enum([eventTypes.imageDiscovered, eventTypes.imageUpdated, eventTypes.imageUpdateFailed, eventTypes.imagePinned]),
  time: z.string(),
  app: z.string(),
  policy: z.string(),
  image: z.string(),
  /** The event's data, as its schema parsed it. */
  data: z.record(z.string(), z.unknown()),
}).meta({ id: 'ImageUpdateEvent' });
export type ImageUpdateEvent = z.infer<typeof ImageUpdateEvent>;

export const ImageUpdateList = z.object({
  items: z.array(ImageUpdateEvent),
  /** Stream id to pass as `before` for the next (older) page. */
  next: z.string().optional(),
  /** Image events of this page's range whose data did not match their schema (skipped, never trusted). */
  unreadable: z.number().int(),
}).meta({ id: 'ImageUpdateList' });

/** What the API shows of a policy: never more than the policy holds (it has no secret values, only references). */
function policyView(policy: ImagePolicy & { origin: Exclude<ImagePolicy['origin'], 'pipeline'> }): ImagePolicyView {
  const { target } = policy.writeBack;
  return {
    id: policy.id, origin: policy.origin, app: policy.app, alias: policy.alias, image: policy.image, strategy: policy.strategy,
    ...(policy.constraint !== undefined ? { constraint: policy.constraint } : {}),
    ...(policy.allowTags !== undefined ? { allowTags: policy.allowTags } : {}),
    ignoreTags: policy.ignoreTags, platforms: policy.platforms,
    writeBack: {
      target: { kind: target.kind, ...('path' in target ? { path: target.path } : {}), ...('file' in target ? { file: target.file } : {}), ...('marker' in target ? { marker: target.marker } : {}) },
      ...(policy.writeBack.branch !== undefined ? { branch: policy.writeBack.branch } : {}),
      ...(policy.writeBack.baseBranch !== undefined ? { baseBranch: policy.writeBack.baseBranch } : {}),
      ...(policy.writeBack.repoUrl !== undefined ? { repoUrl: policy.writeBack.repoUrl } : {}),
    },
    ...(policy.disabledReason !== undefined ? { disabledReason: policy.disabledReason } : {}),
  };
}

/**
 * May the caller see what concerns `app`? `applications get` on its project, as the app routes check; an app no longer
 * configured (its events outlive it) needs `audit get`, as events about no app do.
 */
function mayGet(ctx: RouteContext, rbac: Rbac, identity: Identity, app: string): boolean {
  const application = ctx.config().applications.find((candidate) => candidate.metadata.name === app);
  if (!application) return rbac.can(identity, { resource: 'audit', action: 'get', object: '*' });
  return rbac.can(identity, { resource: 'applications', action: 'get', object: `${application.spec.project}/${app}` });
}

/** Image updates: the configured image policies and the promoter's recent image events. */
export function registerImageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/api/v1/images', {
    schema: {
      tags, security, summary: 'The configured image policies of the applications the caller may get',
      querystring: z.object({ app: z.string().optional().describe('only the policies of this application') }),
      response: { 200: z.object({ items: z.array(ImagePolicyView) }).meta({ id: 'ImagePolicyList' }), ...errorResponses },
    },
  }, async (request) => {
    const rbac = await ctx.rbac();
    const identity = ctx.identity(request);
    const configured = new Set(ctx.config().applications.map((candidate) => candidate.metadata.name));
    // Policies derived from pipelines' `image:` sources write nothing to an application: the pipelines API shows them.
    const items = imagePoliciesOf(ctx.config()).flatMap((policy) => (policy.origin === 'pipeline' ? [] : [{ ...policy, origin: policy.origin }]))
      .filter((policy) => (!request.query.app || policy.app === request.query.app) && configured.has(policy.app) && mayGet(ctx, rbac, identity, policy.app))
      .map(policyView);
    return { items };
  });

  routes.get('/api/v1/images/updates', {
    schema: {
      tags, security, summary: 'Recent image events (discovered, updated, update-failed, pinned) the caller may see, newest first',
      querystring: z.object({
        app: z.string().optional(),
        before: z.string().regex(/^\d+-\d+$/).optional().describe('stream id to continue before (the `next` of the previous page)'),
        limit: z.coerce.number().int().min(1).max(1_000).default(100),
      }),
      response: { 200: ImageUpdateList, ...errorResponses },
    },
  }, async (request) => {
    const { app: appFilter, before, limit } = request.query;
    const rbac = await ctx.rbac();
    const identity = ctx.identity(request);
    const items: ImageUpdateEvent[] = [];
    let unreadable = 0;
    if (before && before.split('-').some((part) => BigInt(part) > maxStreamIdPart)) throw invalidInput('querystring.before', 'not a stream id (each part at most 2^64-1)');
    // Nothing is older than 0-0 (and Redis refuses an exclusive range below it).
    if (before && /^0+-0+$/.test(before)) return { items, unreadable };
    let cursor = before ? `(${before}` : '+';
    // Scan backwards in batches until the page is full or the stream's start (most entries are not image events).
    for (let scanned = 0; items.length < limit && scanned < 100_000;) {
      const batch = await ctx.redis.xrevrange(eventsStreamKey, cursor, '-', 'COUNT', 1_000);
      if (batch.length === 0) break;
      scanned += batch.length;
      for (const [id, fields] of batch) {
        cursor = `(${id}`;
        const entry = streamEntryOf(id, fields);
        const schema = entry ? imageEventSchemas[entry.event.type] : undefined;
        if (!entry || !schema) continue;
        const parsed = schema.safeParse(entry.event.data);
        if (!parsed.success) {
          unreadable += 1;
          continue;
        }
        const data = parsed.data as { app: string; policy: string; image: string };
        if ((appFilter && data.app !== appFilter) || !mayGet(ctx, rbac, identity, data.app)) continue;
        items.push({
          streamId: id, id: entry.event.id, type: entry.event.type as ImageUpdateEvent['type'], time: entry.event.time,
          app: data.app, policy: data.policy, image: data.image, data: parsed.data,
        });
        if (items.length >= limit) break;
      }
    }
    const last = items.at(-1);
    return { items, unreadable, ...(last && items.length >= limit ? { next: last.streamId } : {}) };
  });
}
