import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventsStreamKey, type CloudEvent } from '@tidewater/events';
import { readAppStates } from '@tidewater/queues';
import type { Identity } from '../auth/identity.ts';
import type { Rbac } from '../rbac/enforcer.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses } from '../state/application-schema.ts';
import { applicationView } from '../state/application-view.ts';
import { streamEntryOf, type StreamedEvent } from '../stream/event-fanout.ts';

import { security } from '../security.ts';
const Event = z.object({
  streamId: z.string(),
  event: z.looseObject({ specversion: z.string(), id: z.string(), source: z.string(), type: z.string(), time: z.string(), subject: z.string().optional(), data: z.record(z.string(), z.unknown()) }),
}).meta({ id: 'StreamedEvent' });

/** The apps an event is about: `data.app`, else `data.apps` (a webhook names every app it queued). */
function appsOf(event: CloudEvent): string[] {
  if (typeof event.data.app === 'string') return [event.data.app];
  return Array.isArray(event.data.apps) ? event.data.apps.filter((app): app is string => typeof app === 'string') : [];
}

/** An event about apps is visible to whoever may get one of them; an event about none (gateway, auditor) needs `audit get`. */
function visibleTo(ctx: RouteContext, rbac: Rbac, identity: Identity, event: CloudEvent): boolean {
  const apps = appsOf(event);
  if (apps.length === 0) return rbac.can(identity, { resource: 'audit', action: 'get', object: '*' });
  const applications = ctx.config().applications;
  return apps.some((name) => {
    const app = applications.find((candidate) => candidate.metadata.name === name);
    return app !== undefined && rbac.can(identity, { resource: 'applications', action: 'get', object: `${app.spec.project}/${name}` });
  });
}

/** Starts a Server-Sent Events answer that ends with the request; returns a writer of named events. */
function openEventStream(request: FastifyRequest, reply: FastifyReply, onClose: () => void) {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  reply.raw.write(': tidewater\n\n');
  const keepAlive = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000);
  request.raw.on('close', () => {
    clearInterval(keepAlive);
    onClose();
  });
  return (name: string, data: unknown, id?: string) => reply.raw.write(`${id ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Tidewater's events (from the Redis events stream) and the SSE streams of events and application changes. */
export function registerEventRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get('/api/v1/events', {
    schema: {
      tags: ['events'], security, summary: 'Recent events the caller may see, oldest first',
      querystring: z.object({
        app: z.string().optional(),
        type: z.string().optional().describe('exact type or a prefix ending in *'),
        after: z.string().regex(/^\d+-\d+$/).optional().describe('stream id to continue after'),
        limit: z.coerce.number().int().min(1).max(1_000).default(100),
      }),
      response: { 200: z.object({ items: z.array(Event), next: z.string().optional() }).meta({ id: 'EventList' }), ...errorResponses },
    },
  }, async (request) => {
    const { app: appFilter, type, after, limit } = request.query;
    const rbac = await ctx.rbac();
    const identity = ctx.identity(request);
    const typeMatches = (eventType: string) => !type || (type.endsWith('*') ? eventType.startsWith(type.slice(0, -1)) : eventType === type);
    const items: StreamedEvent[] = [];
    let cursor = after ? `(${after}` : '-';
    // Scan in batches until the page is full or the stream ends (filters may skip many entries).
    for (let scanned = 0; items.length < limit && scanned < 100_000;) {
      const batch = await ctx.redis.xrange(eventsStreamKey, cursor, '+', 'COUNT', 1_000);
      if (batch.length === 0) break;
      scanned += batch.length;
      for (const [id, fields] of batch) {
        cursor = `(${id}`;
        const entry = streamEntryOf(id, fields);
        if (!entry || !typeMatches(entry.event.type) || (appFilter && !appsOf(entry.event).includes(appFilter))) continue;
        if (!visibleTo(ctx, rbac, identity, entry.event)) continue;
        items.push(entry);
        if (items.length >= limit) break;
      }
    }
    const last = items.at(-1);
    return { items: items as unknown as z.infer<typeof Event>[], ...(last && items.length >= limit ? { next: last.streamId } : {}) };
  });

  routes.get('/api/v1/stream/events', {
    schema: {
      tags: ['events'], security, summary: 'Server-Sent Events: each new event the caller may see (`event: event`)',
      querystring: z.object({ app: z.string().optional() }),
      produces: ['text/event-stream'],
      response: { 200: z.string().describe('text/event-stream'), 401: errorResponses[401] },
    },
  }, async (request, reply) => {
    const rbac = await ctx.rbac();
    const identity = ctx.identity(request);
    let unsubscribe = () => {};
    const send = openEventStream(request, reply, () => unsubscribe());
    unsubscribe = ctx.fanout.subscribe((entry) => {
      if (request.query.app && !appsOf(entry.event).includes(request.query.app)) return;
      if (visibleTo(ctx, rbac, identity, entry.event)) send('event', entry, entry.streamId);
    });
  });

  routes.get('/api/v1/stream/applications', {
    schema: {
      tags: ['applications'], security, summary: 'Server-Sent Events of application changes: ADDED for each app at the start, then MODIFIED (Argo CD watch)',
      querystring: z.object({ name: z.string().optional(), project: z.string().optional() }),
      produces: ['text/event-stream'],
      response: { 200: z.string().describe('text/event-stream'), 401: errorResponses[401] },
    },
  }, async (request, reply) => {
    const rbac = await ctx.rbac();
    const identity = ctx.identity(request);
    const watched = () => ctx.config().applications.filter((candidate) => (!request.query.name || candidate.metadata.name === request.query.name)
      && (!request.query.project || candidate.spec.project === request.query.project)
      && rbac.can(identity, { resource: 'applications', action: 'get', object: `${candidate.spec.project}/${candidate.metadata.name}` }));
    const pending = new Set<string>();
    let flushing = false;
    let unsubscribe = () => {};
    const send = openEventStream(request, reply, () => unsubscribe());
    // Changes of one app arriving together are sent once, with the state read after the last of them.
    const flush = async () => {
      if (flushing) return;
      flushing = true;
      try {
        while (pending.size > 0) {
          const names = [...pending];
          pending.clear();
          const apps = watched().filter((candidate) => names.includes(candidate.metadata.name));
          const states = await readAppStates(ctx.redis, apps.map((candidate) => candidate.metadata.name));
          apps.forEach((candidate, index) => send('MODIFIED', { type: 'MODIFIED', application: applicationView(candidate, states[index]) }));
        }
      } catch (error) {
        request.log.warn({ reason: (error as Error).message }, 'application stream update failed');
      } finally {
        flushing = false;
      }
    };
    unsubscribe = ctx.fanout.subscribe((entry) => {
      for (const name of appsOf(entry.event)) pending.add(name);
      void flush();
    });
    const apps = watched();
    const states = await readAppStates(ctx.redis, apps.map((candidate) => candidate.metadata.name));
    apps.forEach((candidate, index) => send('ADDED', { type: 'ADDED', application: applicationView(candidate, states[index]) }));
  });
}
