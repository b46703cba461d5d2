import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createEventPublisher, eventsStreamKey, eventTypes, readAllEvents, type EventPublisher } from '@tidewater/events';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startRedis, waitFor, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { openAuditLog, type AuditLog } from '../log/audit-log.ts';
import type { AuditRecord } from '../log/audit-record.ts';
import { createAuditConsumer } from './audit-consumer.ts';
import type { RetentionStatus } from './retention-check.ts';

const logger = createLogger('auditor-test', { level: 'silent' });

async function allRecords(log: AuditLog): Promise<AuditRecord[]> {
  return log.readAfter(0, 1_000_000);
}

describe('audit consumer on the events stream', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let reader: Redis;
  let publisher: EventPublisher;
  let work: { dir: string; remove: () => void };

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
    reader = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    publisher = createEventPublisher({ redis, source: '/test' });
  });
  afterAll(async () => {
    redis?.disconnect();
    reader?.disconnect();
    await redisServer?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
    work = makeWorkDir('auditor-consumer');
  });
  afterEach(() => work.remove());

  async function publishChange(app: string, revision: string, actor: string) {
    for (const type of [eventTypes.renderStarted, eventTypes.renderSucceeded, eventTypes.syncStarted, eventTypes.syncSucceeded]) {
      await publisher.publish({ type, data: { app, revision, actor, traceId: 'a'.repeat(32) } });
    }
  }

  it('appends the events of a change in stream order, and verify passes', async () => {
    const log = await openAuditLog({ dir: work.dir, logger });
    const consumer = createAuditConsumer({ redis: reader, log, logger, blockMs: 100 });
    try {
      consumer.start();
      await publisher.publish({ type: eventTypes.webhookReceived, data: { apps: ['web'], revision: 'abc123', actor: 'alice', provider: 'github' } });
      await publishChange('web', 'abc123', 'alice');
      await waitFor('5 audit records', () => log.lastSeq >= 5);

      const records = await allRecords(log);
      const published = await readAllEvents(redis);
      expect(records.map((record) => record.event)).toEqual(published);
      expect(records.map((record) => record.event.type)).toEqual([
        eventTypes.webhookReceived, eventTypes.renderStarted, eventTypes.renderSucceeded, eventTypes.syncStarted, eventTypes.syncSucceeded,
      ]);
      expect(await log.verify()).toMatchObject({ ok: true, records: 5 });
      // Everything is acknowledged once on disk.
      const pending = (await redis.xpending(eventsStreamKey, 'auditor')) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      await consumer.stop();
      await log.close();
    }
  });

  it('a consumer stopped mid-stream and a new one lose nothing and duplicate nothing', async () => {
    for (let i = 0; i < 30; i++) await publishChange(`app-${i % 3}`, `rev-${i}`, 'ci');

    // The first auditor takes 7 entries and "dies" after appending 5 of them but before acknowledging any.
    const first = await openAuditLog({ dir: work.dir, logger });
    await redis.xgroup('CREATE', eventsStreamKey, 'auditor', '0', 'MKSTREAM');
    const taken = (await redis.xreadgroup('GROUP', 'auditor', 'dead-replica', 'COUNT', 7, 'STREAMS', eventsStreamKey, '>')) as Array<[string, Array<[string, string[]]>]>;
    const entries = taken[0][1].map(([streamId, fields]) => ({ streamId, event: JSON.parse(fields[fields.indexOf('event') + 1]) }));
    await first.append(entries.slice(0, 5));
    await first.close();

    // A second auditor: takes over the 7 pending entries (5 already on disk), then reads the rest, in batches.
    const second = await openAuditLog({ dir: work.dir, logger });
    const consumer = createAuditConsumer({ redis: reader, log: second, logger, consumer: 'auditor-2', batchSize: 16 });
    try {
      const appended = await consumer.drainOnce();
      expect(appended).toBe(115);
      await publishChange('late', 'rev-late', 'ci');
      expect(await consumer.drainOnce()).toBe(4);

      const records = await allRecords(second);
      const streamIds = (await redis.xrange(eventsStreamKey, '-', '+')).map(([id]) => id);
      expect(records.map((record) => record.streamId)).toEqual(streamIds);
      expect(new Set(records.map((record) => record.event.id)).size).toBe(124);
      expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 124 }, (_, i) => i + 1));
      expect(await second.verify()).toMatchObject({ ok: true, records: 124 });
      const pending = (await redis.xpending(eventsStreamKey, 'auditor')) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      await consumer.stop();
      await second.close();
    }
  });

  it('reports loudly when the stream was trimmed past what it appended', async () => {
    const log = await openAuditLog({ dir: work.dir, logger });
    const gaps: unknown[] = [];
    const consumer = createAuditConsumer({ redis: reader, log, logger, events: publisher, onGap: (status) => gaps.push(status) });
    try {
      await publishChange('web', 'r1', 'alice');
      expect(await consumer.drainOnce()).toBe(4);
      expect(gaps).toHaveLength(0);

      // Trimming what was already appended is no gap.
      await redis.xtrim(eventsStreamKey, 'MAXLEN', 0);
      expect((await consumer.checkRetention()).gap).toBe(false);

      // Events trimmed before the auditor read them are.
      await publishChange('web', 'r2', 'alice');
      await redis.xtrim(eventsStreamKey, 'MAXLEN', 1);
      const status = await consumer.checkRetention();
      expect(status).toMatchObject({ gap: true, missingEvents: 3 });
      expect(gaps).toHaveLength(1);
      expect(consumer.status.gapsReported).toBe(1);
      // Reported once per trimmed range, not on every check.
      await consumer.checkRetention();
      expect(gaps).toHaveLength(1);

      await consumer.drainOnce();
      const records = await allRecords(log);
      const gapRecord = records.find((record) => record.event.type === eventTypes.auditGap);
      expect(gapRecord?.event.data).toMatchObject({ group: 'auditor', missingEvents: 3, lastAppendedStreamId: records[3].streamId });
      expect(records.map((record) => record.event.data.revision).filter(Boolean)).toEqual(['r1', 'r1', 'r1', 'r1', 'r2']);
    } finally {
      await consumer.stop();
      await log.close();
    }
  });

  it('reports events trimmed before a first start', async () => {
    await publishChange('web', 'r1', 'alice');
    await redis.xtrim(eventsStreamKey, 'MAXLEN', 1);
    const log = await openAuditLog({ dir: work.dir, logger });
    const gaps: RetentionStatus[] = [];
    const consumer = createAuditConsumer({ redis: reader, log, logger, onGap: (status) => gaps.push(status) });
    try {
      expect(await consumer.drainOnce()).toBe(1);
      expect(gaps).toEqual([expect.objectContaining({ gap: true, missingEvents: 3 })]);
    } finally {
      await consumer.stop();
      await log.close();
    }
  });

  it('records a stream entry that is not a CloudEvent rather than skipping it', async () => {
    const log = await openAuditLog({ dir: work.dir, logger });
    const consumer = createAuditConsumer({ redis: reader, log, logger });
    try {
      await redis.xadd(eventsStreamKey, '*', 'event', '{not json');
      await publishChange('web', 'r1', 'alice');
      expect(await consumer.drainOnce()).toBe(5);
      const [malformed] = await allRecords(log);
      expect(malformed.event).toMatchObject({ type: 'dev.tidewater.audit.malformed-entry', data: { raw: '{not json' } });
      expect((await log.verify()).ok).toBe(true);
    } finally {
      await consumer.stop();
      await log.close();
    }
  });
});
