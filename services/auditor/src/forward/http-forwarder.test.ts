import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createEventPublisher, eventTypes, makeCloudEvent, readAllEvents, type EventPublisher, type StreamEntry } from '@tidewater/events';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startRedis, waitFor, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { openAuditLog, type AuditLog } from '../log/audit-log.ts';
import type { AuditRecord } from '../log/audit-record.ts';
import type { HttpAuditSink } from './audit-sink-config.ts';
import { createHttpForwarder, type HttpForwarder } from './http-forwarder.ts';

const logger = createLogger('auditor-test', { level: 'silent' });

/** A local audit consumer: collects posted records; answers 503 while `down`. */
interface TestSink {
  url: string;
  down: boolean;
  received: AuditRecord[];
  headers: IncomingHttpHeaders[];
  failedRequests: number;
  close(): Promise<void>;
}

async function startSink(): Promise<TestSink> {
  const sink: Omit<TestSink, 'url' | 'close'> = { down: false, received: [], headers: [], failedRequests: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (sink.down) {
        sink.failedRequests++;
        response.writeHead(503, { 'retry-after': '0' }).end('unavailable');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { sink: string; records: AuditRecord[] };
      sink.received.push(...body.records);
      sink.headers.push(request.headers);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(sink, {
    url: `http://127.0.0.1:${port}/ingest`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

let streamMs = Date.parse('2025-03-01T00:00:00Z');
function entries(count: number): StreamEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    streamId: `${streamMs++}-0`,
    event: makeCloudEvent('/test', { type: eventTypes.syncSucceeded, data: { app: `app-${i % 5}`, revision: `r${i}` } }),
  }));
}

const seqsOf = (records: readonly AuditRecord[]) => records.map((record) => record.seq);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('HTTP audit forwarder', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let events: EventPublisher;
  let work: { dir: string; remove: () => void };
  let log: AuditLog;
  let sink: TestSink;
  const forwarders: HttpForwarder[] = [];

  function settings(overrides: Partial<HttpAuditSink> = {}): HttpAuditSink {
    return { name: 'siem', url: sink.url, headers: {}, batchSize: 500, timeoutMs: 5_000, initialBackoffMs: 20, maxBackoffMs: 200, ...overrides };
  }
  function forwarder(overrides: Partial<HttpAuditSink> = {}): HttpForwarder {
    const created = createHttpForwarder({ sink: settings(overrides), log, logger, events, pollMs: 50 });
    forwarders.push(created);
    return created;
  }

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
    events = createEventPublisher({ redis, source: '/tidewater/auditor' });
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
    work = makeWorkDir('auditor-forward');
    log = await openAuditLog({ dir: work.dir, logger });
    sink = await startSink();
  });
  afterEach(async () => {
    for (const created of forwarders.splice(0)) await created.stop();
    await log.close();
    await sink.close();
    work.remove();
  });

  it('delivers every record, in order, in batches, and keeps up with new ones', async () => {
    await log.append(entries(1_200));
    const running = forwarder({ headers: { 'x-api-key': 'k' } });
    running.start();
    await waitFor('1200 records at the sink', () => sink.received.length >= 1_200);
    await log.append(entries(7));
    await waitFor('1207 records at the sink', () => sink.received.length >= 1_207);
    expect(seqsOf(sink.received)).toEqual(oneTo(1_207));
    expect(sink.received[0]).toEqual((await log.readAfter(0, 1))[0]);
    expect(sink.headers[0]).toMatchObject({ 'x-api-key': 'k', 'content-type': 'application/json', 'x-tidewater-audit-first-seq': '1', 'x-tidewater-audit-last-seq': '500' });
    // The forwarder records its position after the sink's answer arrives, so wait for it rather than race it.
    await waitFor('position 1207', () => running.status.position === 1_207);
    expect(running.status).toMatchObject({ sink: 'siem', position: 1_207, failing: false });
  });

  it('reports a sink that is down, without its credentials, and catches up without loss when it is back', async () => {
    sink.down = true;
    const secretUrl = sink.url.replace('http://', 'http://auditor:s3cr3t-pass@') + '?token=s3cr3t-token';
    await log.append(entries(300));
    const running = forwarder({ url: secretUrl, batchSize: 100 });
    running.start();
    await waitFor('the outage reported', () => running.status.failing && sink.failedRequests >= 3);
    await log.append(entries(250)); // keeps arriving during the outage

    const failedEvents = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.auditForwardFailed);
    expect(failedEvents).toHaveLength(1); // once per outage, not once per retry
    expect(failedEvents[0].data).toMatchObject({ sink: 'siem', reason: 'HTTP 503', fromSeq: 1 });
    expect(JSON.stringify(failedEvents[0])).not.toMatch(/s3cr3t|127\.0\.0\.1/);
    expect(sink.received).toHaveLength(0);

    sink.down = false;
    await waitFor('all 550 records at the sink', () => sink.received.length >= 550);
    expect(seqsOf(sink.received)).toEqual(oneTo(550));
    expect(sink.headers[0].authorization).toBe(`Basic ${Buffer.from('auditor:s3cr3t-pass').toString('base64')}`);
    await waitFor('recovery reported', async () => (await readAllEvents(redis)).some((event) => event.type === eventTypes.auditForwardRecovered));
    // The position moves after the sink's answer to the last batch arrives: wait for it rather than race it.
    await waitFor('position 550', () => running.status.position === 550);
    expect(running.status).toMatchObject({ failing: false, position: 550 });
  });

  it('resumes from its persisted position after a restart', async () => {
    await log.append(entries(700));
    const first = forwarder();
    expect(await first.forwardOnce()).toBe(500);
    await first.stop();

    const second = forwarder(); // a new process: reads the position file
    expect(await second.forwardOnce()).toBe(200);
    expect(await second.forwardOnce()).toBe(0);
    expect(seqsOf(sink.received)).toEqual(oneTo(700));
  });

  it('reports a sink that does not answer at all (connection refused)', async () => {
    await log.append(entries(3));
    await sink.close();
    const running = forwarder();
    expect(await running.forwardOnce()).toBe(0);
    expect(running.status).toMatchObject({ failing: true, lastReason: 'ECONNREFUSED', position: 0 });
  });
});
