import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import {
  createEventConsumer, createEventPublisher, eventsStreamKey, eventTypes, makeCloudEvent, type CloudEvent, type EventPublisher,
} from '@tidewater/events';
import { createAuditConsumer, openAuditLog } from '@tidewater/auditor';
import { makeWorkDir, repoRoot, startRedis, waitFor } from '../test/harness/src/index.ts';
import { timed } from './measure/elapsed.ts';
import { percentile } from './measure/percentiles.ts';
import { fixed, printTable } from './measure/table.ts';

const eventCount = Number(process.env.BENCH_EVENTS ?? 50_000);
const notifyCount = Number(process.env.BENCH_NOTIFY_EVENTS ?? 100);
const batchSize = 1_000;
const silent = pino({ level: 'silent' });

interface Row {
  path: string;
  events: number;
  ms: number;
}

/** Sync events shaped like the syncer's (app, revision, actor, trace id, counts): ~450 B of JSON each. */
function syncEvents(count: number): CloudEvent[] {
  return Array.from({ length: count }, (_, i) => makeCloudEvent('/tidewater/syncer', {
    type: i % 4 === 3 ? eventTypes.syncSucceeded : eventTypes.syncStarted,
    data: {
      app: `app-${i % 50}`, revision: (0x1_0000_0000 + i).toString(16).padStart(40, 'a'), actor: `dev-${i % 13}@example.com`,
      traceId: (0xabc_0000 + i).toString(16).padStart(32, '0'), durationMs: 1_000 + (i % 700),
      counts: { applied: 12, unchanged: 30, pruned: 0, failed: 0 },
    },
  }));
}

async function xaddAll(redis: Redis, events: readonly CloudEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += batchSize) {
    const pipeline = redis.pipeline();
    for (const event of events.slice(start, start + batchSize)) {
      pipeline.xadd(eventsStreamKey, 'MAXLEN', '~', '1000000', '*', 'type', event.type, 'event', JSON.stringify(event));
    }
    await pipeline.exec();
  }
}

/** The peer: XREADGROUP + JSON.parse + one XACK per batch, no hashing, no file. */
async function rawConsume(redis: Redis, group: string, expected: number): Promise<number> {
  await redis.xgroup('CREATE', eventsStreamKey, group, '0');
  let read = 0;
  while (read < expected) {
    const result = (await redis.xreadgroup('GROUP', group, 'bench', 'COUNT', batchSize, 'STREAMS', eventsStreamKey, '>')) as Array<[string, Array<[string, string[]]>]> | null;
    const entries = result?.[0]?.[1] ?? [];
    if (entries.length === 0) break;
    for (const [, fields] of entries) JSON.parse(fields[fields.indexOf('event') + 1]);
    await redis.xack(eventsStreamKey, group, ...entries.map(([id]) => id));
    read += entries.length;
  }
  return read;
}

/**
 * Audit append throughput with the hash chain on: N events already in the stream, then the auditor reads them
 * in batches, chains and appends them to its JSON Lines file (one datasync per batch) and acknowledges — against
 * the same events read with plain XREADGROUP/XACK, and through the shared per-event consumer.
 */
async function measureAppend(redisUrl: string, work: string): Promise<{ rows: Row[]; appendPerSecond: number; verifyMs: number }> {
  const redis = new Redis(redisUrl);
  const rows: Row[] = [];
  try {
    const events = syncEvents(eventCount);
    rows.push({ path: 'XADD, pipelined (publish side, for scale)', events: eventCount, ...await timed(() => xaddAll(redis, events)).then(({ ms }) => ({ ms })) });

    const raw = await timed(() => rawConsume(redis, 'bench-raw', eventCount));
    if (raw.result !== eventCount) throw new Error(`raw consumer read ${raw.result} of ${eventCount}`);
    rows.push({ path: 'peer: XREADGROUP + XACK per 1000, JSON.parse only', events: eventCount, ms: raw.ms });

    let handled = 0;
    const perEvent = createEventConsumer({ redis, group: 'bench-per-event', consumer: 'bench', batchSize, handle: async () => void handled++ });
    const shared = await timed(() => perEvent.drainOnce());
    if (handled !== eventCount) throw new Error(`per-event consumer handled ${handled} of ${eventCount}`);
    rows.push({ path: 'shared createEventConsumer (XACK per event), no-op', events: eventCount, ms: shared.ms });

    const log = await openAuditLog({ dir: join(work, 'audit'), logger: silent });
    try {
      const consumer = createAuditConsumer({ redis, log, logger: silent, batchSize });
      const audit = await timed(() => consumer.drainOnce());
      if (audit.result !== eventCount || log.lastSeq !== eventCount) throw new Error(`auditor appended ${audit.result} of ${eventCount}`);
      rows.push({ path: 'tidewater auditor: hash chain + JSONL + datasync/batch', events: eventCount, ms: audit.ms });
      const verify = await timed(() => log.verify());
      if (!verify.result.ok) throw new Error('verify failed on the benchmark log');
      rows.push({ path: 'tidewater auditor: verify (whole chain)', events: eventCount, ms: verify.ms });
      return { rows, appendPerSecond: eventCount / (audit.ms / 1000), verifyMs: verify.ms };
    } finally {
      await log.close();
    }
  } finally {
    redis.disconnect();
  }
}

interface NotifierModule {
  createNotifier(deps: {
    config: () => TidewaterConfig; redis: Redis; logger: typeof silent; events: EventPublisher; consumerName?: string; env?: NodeJS.ProcessEnv;
  }): { start(): void; stop(): Promise<void> };
}

/** sync.succeeded published → the Slack-compatible sink has the message: p95 over `notifyCount` deploys, one at a time. */
async function measureNotify(redisUrl: string): Promise<{ p50: number; p95: number; max: number } | undefined> {
  if (!existsSync(join(repoRoot, 'services/notifier/src/index.ts'))) return undefined;
  const notifierModule = (await import('@tidewater/notifier')) as Partial<NotifierModule>;
  if (typeof notifierModule.createNotifier !== 'function') return undefined;

  const arrivals = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const receivedAt = performance.timeOrigin + performance.now();
      const text = Buffer.concat(chunks).toString();
      const revision = /rev-(\d{4})/.exec(text)?.[0];
      if (revision && !arrivals.has(revision)) arrivals.set(revision, receivedAt);
      response.writeHead(200, { 'content-type': 'text/html' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/benchhook`;
  const { config, errors } = buildConfig([{ file: 'bench.yaml', text: `
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: { name: bench-slack }
spec:
  type: slack
  webhookUrlRef: { env: TIDEWATER_SECRET_BENCH_SLACK_HOOK }
  apiUrl: ${sinkUrl.replace(/\/services\/.*$/, '')}/api
  subscriptions: [{ trigger: on-sync-succeeded, apps: ['shop'] }]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: shop }
spec:
  project: default
  source: { repoURL: 'https://git.example.com/acme/shop.git', targetRevision: main, path: deploy }
  destination: { server: 'https://kubernetes.default.svc', namespace: shop }
` }]);
  if (errors.length > 0) throw new Error(`notifier benchmark configuration: ${errors.map((error) => error.message).join('; ')}`);

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const syncer = createEventPublisher({ redis, source: '/tidewater/syncer' });
  const notifier = notifierModule.createNotifier({
    config: () => config, redis, logger: silent, consumerName: 'bench',
    events: createEventPublisher({ redis, source: '/tidewater/notifier' }),
    env: { TIDEWATER_SECRET_BENCH_SLACK_HOOK: sinkUrl },
  });
  const latencies: number[] = [];
  try {
    notifier.start();
    for (let i = 0; i < notifyCount + 5; i++) {
      const revision = `rev-${String(i).padStart(4, '0')}`;
      const publishedAt = performance.timeOrigin + performance.now();
      await syncer.publish({ type: eventTypes.syncSucceeded, data: { app: 'shop', revision, actor: 'bench', durationMs: 1_000 } });
      await waitFor(`the Slack message for ${revision}`, () => arrivals.has(revision), { timeoutMs: 30_000, intervalMs: 1 });
      if (i >= 5) latencies.push((arrivals.get(revision) as number) - publishedAt); // the first 5 warm up
    }
  } finally {
    await notifier.stop();
    redis.disconnect();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) };
}

/** `npm run bench -- events`: audit append throughput (target ≥ 10,000/s) and sync-succeeded → Slack p95 (target ≤ 200 ms). */
export async function run(): Promise<void> {
  const work = makeWorkDir('bench-events');
  const redis = await startRedis();
  try {
    console.log(`events: ${eventCount.toLocaleString('en')} sync events (~450 B) in the stream; redis ${redis.backend}; audit file on ${work.dir}`);
    const append = await measureAppend(redis.url, work.dir);
    printTable(['path', 'events', 'seconds', 'events/s'], append.rows.map((row) => [
      row.path, row.events, fixed(row.ms / 1000, 2), fixed(row.events / (row.ms / 1000), 0),
    ]));

    const cleaner = new Redis(redis.url);
    await cleaner.flushall(); // the notifier starts on an empty stream
    cleaner.disconnect();
    const notify = await measureNotify(redis.url);
    if (notify) {
      console.log('');
      printTable(['notify: sync.succeeded → Slack sink', 'deploys', 'p50 ms', 'p95 ms', 'max ms'], [
        ['tidewater notifier (BullMQ delivery)', notifyCount, fixed(notify.p50), fixed(notify.p95), fixed(notify.max)],
      ]);
    } else {
      console.log('notify: services/notifier has no createNotifier yet; not measured');
    }
    console.log(`BENCH events append_per_s=${Math.round(append.appendPerSecond)} notify_p95_ms=${notify ? fixed(notify.p95) : 'NA'}`);
  } finally {
    await redis.stop();
    work.remove();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await run();
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
