import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { eventTypes, makeCloudEvent, type StreamEntry } from '@tidewater/events';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { auditFileName, openAuditLog, type AuditLog } from '../log/audit-log.ts';
import type { AuditRecord } from '../log/audit-record.ts';
import { createAuditApi } from './audit-api.ts';

const day = 86_400_000;
const from = Date.parse('2025-03-01T00:00:00Z');

function entry(offsetMs: number, type: string, data: Record<string, unknown>): StreamEntry {
  return { streamId: `${from + offsetMs}-0`, event: { ...makeCloudEvent('/test', { type, data }), time: new Date(from + offsetMs).toISOString() } };
}

describe('audit HTTP API', () => {
  let work: { dir: string; remove: () => void };
  let log: AuditLog;
  let app: FastifyInstance;

  beforeAll(async () => {
    work = makeWorkDir('auditor-api');
    log = await openAuditLog({ dir: work.dir });
    const appended: StreamEntry[] = [];
    for (let i = 0; i < 10; i++) {
      const app = i % 2 === 0 ? 'web-prod' : 'api-staging';
      appended.push(entry(i * day + 1_000, eventTypes.webhookReceived, { apps: [app], revision: `r${i}`, actor: i < 5 ? 'alice' : 'bob' }));
      appended.push(entry(i * day + 61_000, eventTypes.syncSucceeded, { app, revision: `r${i}`, actor: i < 5 ? 'alice' : 'bob' }));
    }
    await log.append(appended);
    app = createAuditApi({ log, environmentOf: (name) => (name === 'api-staging' ? 'staging' : undefined), status: () => ({ sinks: [] }) });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await log?.close();
    work?.remove();
  });

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    return { status: response.statusCode, body: response.headers['content-type']?.includes('json') && !response.headers['content-type'].includes('ndjson') ? response.json() : response.body, headers: response.headers };
  };

  it('pages through events filtered by app, actor, type and time', async () => {
    const first = await get('/audit/events?app=web-prod&type=dev.tidewater.sync&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.records.map((record: AuditRecord) => record.event.data.revision)).toEqual(['r0', 'r2']);
    expect(first.body.nextCursor).toBe(6);
    const second = await get(`/audit/events?app=web-prod&type=dev.tidewater.sync&limit=2&after=${first.body.nextCursor}`);
    expect(second.body.records.map((record: AuditRecord) => record.event.data.revision)).toEqual(['r4', 'r6']);
    const last = await get(`/audit/events?app=web-prod&type=dev.tidewater.sync&limit=2&after=${second.body.nextCursor}`);
    expect(last.body.records.map((record: AuditRecord) => record.event.data.revision)).toEqual(['r8']);
    expect(last.body.nextCursor).toBeNull();

    const byActorAndTime = await get('/audit/events?actor=bob&from=2025-03-07T00:00:00Z&to=2025-03-08T00:00:00Z');
    expect(byActorAndTime.body.records.map((record: AuditRecord) => [record.event.type, record.event.data.revision])).toEqual([
      [eventTypes.webhookReceived, 'r6'], [eventTypes.syncSucceeded, 'r6'],
    ]);
  });

  it('refuses a malformed query with the fields at fault', async () => {
    const response = await get('/audit/events?limit=0&from=yesterday');
    expect(response.status).toBe(400);
    expect(response.body.issues.map((issue: { field: string }) => issue.field).sort()).toEqual(['from', 'limit']);
  });

  it('exports JSON Lines', async () => {
    const all = await get('/audit/export');
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toContain('application/x-ndjson');
    expect(all.body).toBe(readFileSync(join(work.dir, auditFileName), 'utf8'));
    const filtered = await get('/audit/export?app=api-staging&type=dev.tidewater.sync.succeeded');
    const records = (filtered.body as string).trimEnd().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((record) => record.event.data.revision)).toEqual(['r1', 'r3', 'r5', 'r7', 'r9']);
  });

  it('computes DORA metrics per app and environment', async () => {
    const response = await get('/audit/dora?from=2025-03-01T00:00:00Z&to=2025-03-11T00:00:00Z');
    expect(response.status).toBe(200);
    expect(response.body.groups.map((group: { app: string; environment: string; deployments: number; leadTimeForChanges: { medianSeconds: number } }) => [
      group.app, group.environment, group.deployments, group.leadTimeForChanges.medianSeconds,
    ])).toEqual([['api-staging', 'staging', 5, 60], ['web-prod', 'prod', 5, 60]]);
    const one = await get('/audit/dora?environment=prod&from=2025-03-01T00:00:00Z&to=2025-03-11T00:00:00Z');
    expect(one.body.groups).toHaveLength(1);
    expect(one.body.groups[0]).toMatchObject({ app: 'web-prod', deploymentFrequencyPerDay: 0.5 });
    expect((await get('/audit/dora?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z')).status).toBe(400);
  });

  it('reports health, and verify answers 200 then 409 once a record is altered', async () => {
    expect((await get('/healthz')).body).toMatchObject({ status: 'ok', records: 20, sinks: [] });
    expect(await get('/audit/verify')).toMatchObject({ status: 200, body: { ok: true, records: 20 } });
    const file = join(work.dir, auditFileName);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[4] = lines[4].replace('"actor":"alice"', '"actor":"alicf"');
    writeFileSync(file, lines.join('\n'));
    expect(await get('/audit/verify')).toMatchObject({ status: 409, body: { ok: false, atSeq: 5 } });
  });
});
