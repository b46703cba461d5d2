import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unavailable } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses } from '../state/application-schema.ts';

import { security } from '../security.ts';
const isoTime = z.string().refine((value) => Number.isFinite(Date.parse(value)), { error: 'must be an ISO 8601 time' });
const Filters = z.object({
  app: z.string().min(1).optional(), actor: z.string().min(1).optional(), type: z.string().min(1).optional(),
  from: isoTime.optional(), to: isoTime.optional(),
});

/** The auditor's query API (`/audit/*` on AUDITOR_URL), behind the API's authentication and `audit get`. */
export function registerAuditRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  async function forward(path: string, query: Record<string, unknown>) {
    if (!ctx.auditorUrl) throw unavailable('no auditor is configured (AUDITOR_URL)');
    const search = new URLSearchParams(Object.entries(query).flatMap(([key, value]): Array<[string, string]> => value === undefined ? [] : [[key, String(value)]]));
    const response = await fetch(`${ctx.auditorUrl}${path}?${search}`, { signal: AbortSignal.timeout(30_000) })
      .catch((error: Error) => { throw unavailable(`the auditor did not answer: ${error.message}`); });
    const body = await response.json().catch(() => undefined) as Record<string, unknown> | undefined;
    if (!body) throw unavailable(`the auditor answered ${response.status} without JSON`);
    return { status: response.status, body };
  }

  routes.get('/api/v1/audit/events', {
    schema: {
      tags: ['audit'], security, summary: 'Query the audit log (filters app, actor, type, from, to; paging limit + after)',
      querystring: Filters.extend({
        limit: z.coerce.number().int().min(1).max(1_000).default(100),
        after: z.coerce.number().int().min(0).default(0),
      }),
      response: {
        200: z.looseObject({ records: z.array(z.looseObject({})), nextCursor: z.number().nullable().optional() }).meta({ id: 'AuditPage' }),
        ...errorResponses, 503: errorResponses[400],
      },
    },
  }, async (request, reply) => {
    await ctx.authorize(request, { resource: 'audit', action: 'get', object: '*' });
    const { status, body } = await forward('/audit/events', request.query);
    if (status !== 200) throw unavailable(`the auditor answered ${status}: ${String(body.error ?? '')}`);
    return reply.send(body as { records: Array<Record<string, unknown>> });
  });

  routes.get('/api/v1/audit/verify', {
    schema: {
      tags: ['audit'], security, summary: 'Verify the audit log\'s hash chain (200 intact, 409 tampered)',
      response: { 200: z.looseObject({ ok: z.boolean() }).meta({ id: 'AuditVerification' }), 409: z.looseObject({ ok: z.boolean() }), ...errorResponses, 503: errorResponses[400] },
    },
  }, async (request, reply) => {
    await ctx.authorize(request, { resource: 'audit', action: 'get', object: '*' });
    const { status, body } = await forward('/audit/verify', {});
    return reply.code(status === 409 ? 409 : 200).send(body as { ok: boolean });
  });

  routes.get('/api/v1/audit/dora', {
    schema: {
      tags: ['audit'], security, summary: 'DORA metrics from the audit log (default: the last 30 days)',
      querystring: z.object({ app: z.string().min(1).optional(), environment: z.string().min(1).optional(), from: isoTime.optional(), to: isoTime.optional() }),
      response: { 200: z.looseObject({}).meta({ id: 'DoraReport' }), ...errorResponses, 503: errorResponses[400] },
    },
  }, async (request) => {
    await ctx.authorize(request, { resource: 'audit', action: 'get', object: '*' });
    const { status, body } = await forward('/audit/dora', request.query);
    if (status === 400) return Promise.reject(Object.assign(new Error(String(body.error ?? 'invalid query')), { statusCode: 400 }));
    if (status !== 200) throw unavailable(`the auditor answered ${status}`);
    return body;
  });
}
