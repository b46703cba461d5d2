import { getMetrics } from '@tidewater/telemetry';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Logger } from '@tidewater/telemetry';
import { computeDora, doraEventTypes } from '../dora/compute-dora.ts';
import { computePromotionDora, promotionDoraEventTypes } from '../dora/promotion-dora.ts';
import type { AuditLog } from '../log/audit-log.ts';
import type { AuditQuery } from '../log/audit-query.ts';
import type { AuditRecord } from '../log/audit-record.ts';

export interface AuditApiDeps {
  log: AuditLog;
  logger?: Logger;
  /** The environment of an application from the configuration (DORA grouping). */
  environmentOf?: (app: string) => string | undefined;
  /** Extra status for `/healthz`: consumer lag and gaps, forwarders. */
  status?: () => Record<string, unknown>;
}

const isoTime = z.string().refine((value) => Number.isFinite(Date.parse(value)), { error: 'must be an ISO 8601 time' });

const FilterQuery = z.object({
  app: z.string().min(1).optional(),
  actor: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
});

const EventsQuery = FilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  after: z.coerce.number().int().min(0).default(0),
});

const DoraQuery = z.object({
  app: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
});

/** A query string that does not validate: 400 with the fields at fault. */
class InvalidQueryError extends Error {
  readonly statusCode = 400;
  readonly issues: Array<{ field: string; message: string }>;

  constructor(error: z.ZodError) {
    super('invalid query');
    this.name = 'InvalidQueryError';
    this.issues = error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
  }
}

function parseQuery<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) throw new InvalidQueryError(result.error);
  return result.data;
}

function toAuditQuery(filters: z.infer<typeof FilterQuery>): AuditQuery {
  return {
    ...(filters.app ? { app: filters.app } : {}),
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.from ? { fromMs: Date.parse(filters.from) } : {}),
    ...(filters.to ? { toMs: Date.parse(filters.to) } : {}),
  };
}

const thirtyDaysMs = 30 * 86_400_000;

/**
 * The auditor's HTTP API, built without listening (tests use `inject`):
 * `GET /audit/events` (filters app, actor, type — exact or prefix —, from/to ISO; paging limit + after=seq),
 * `GET /audit/export` (JSON Lines stream, same filters), `GET /audit/verify` (200 intact, 409 tampered),
 * `GET /audit/dora?app=&environment=&from=&to=` (default: the last 30 days), `GET /healthz`.
 */
export function createAuditApi(deps: AuditApiDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    // Probes every few seconds would drown out the lines that matter.
    logController: new LogController({ disableRequestLogging: (request) => request.url === '/healthz' }),
  }) as unknown as FastifyInstance;
  const { log } = deps;

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof InvalidQueryError) return reply.code(400).send({ error: error.message, issues: error.issues });
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: error.message });
    }
    request.log.error({ reason: error.message }, 'audit API request failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    const { registry } = getMetrics();
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  app.get('/healthz', async () => ({
    status: 'ok',
    records: log.lastSeq,
    lastStreamId: log.lastStreamId ?? null,
    ...(deps.status?.() ?? {}),
  }));

  app.get('/audit/events', async (request) => {
    const query = parseQuery(EventsQuery, request.query);
    const page = await log.query(toAuditQuery(query), { after: query.after, limit: query.limit });
    return { records: page.records, nextCursor: page.nextCursor };
  });

  app.get('/audit/export', async (request, reply) => {
    const query = parseQuery(FilterQuery, request.query);
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="tidewater-audit.jsonl"');
    return reply.send(log.exportLines(toAuditQuery(query)));
  });

  app.get('/audit/verify', async (_request, reply) => {
    const result = await log.verify();
    return reply.code(result.ok ? 200 : 409).send(result);
  });

  app.get('/audit/dora', async (request) => {
    const query = parseQuery(DoraQuery, request.query);
    const toMs = query.to ? Date.parse(query.to) : Date.now();
    const fromMs = query.from ? Date.parse(query.from) : toMs - thirtyDaysMs;
    if (fromMs >= toMs) throw new InvalidQueryError(new z.ZodError([{ code: 'custom', path: ['from'], message: 'must be before to', input: query.from }]));
    const records: AuditRecord[] = [];
    for await (const batch of log.scan({ ...(query.app ? { app: query.app } : {}), types: doraEventTypes, toMs })) records.push(...batch);
    const report = computeDora(records, { from: fromMs, to: toMs, ...(deps.environmentOf ? { environmentOf: deps.environmentOf } : {}) });
    const groups = report.groups.filter((group) => (!query.app || group.app === query.app) && (!query.environment || group.environment === query.environment));
    // Promotion pipelines: promotions to each pipeline's last stage (lead time from freight creation, change failures).
    const promotionRecords: AuditRecord[] = [];
    for await (const batch of log.scan({ types: promotionDoraEventTypes, toMs })) promotionRecords.push(...batch);
    return { ...report, groups, promotions: computePromotionDora(promotionRecords, { from: fromMs, to: toMs }) };
  });

  return app;
}
