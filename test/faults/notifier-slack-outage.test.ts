// Fault suite: the Slack endpoint failing with 500 and 429 (Retry-After) for 20 s, and the notifier killed -9 in
// the middle of the outage and in the middle of a send. Real processes: redis-server (AOF), the notifier as
// `node services/notifier/src/main.ts`, a local HTTP server answering as Slack does.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createEventPublisher, eventTypes, type EventPublisher } from '@tidewater/events';
import { makeWorkDir, waitFor } from '../harness/src/index.ts';
import { startSlackSink, type SlackSink } from '../../services/notifier/src/test-support/slack-sink.ts';
import { startDurableRedis, type DurableRedis } from './support/durable-redis.ts';
import { eventsOf, measured, waitForEvents } from './support/fault-events.ts';
import { writeFaultConfig } from './support/fault-config.ts';
import { startService, type ServiceProcess } from './support/service-process.ts';

const app = 'fault-web';
const hookPath = '/services/T000/B000/faultsecret';
const outageMs = 20_000;
const newRevision = () => randomBytes(20).toString('hex');

describe('faults: Slack failing, notifier killed', { timeout: 120_000 }, () => {
  let work: { dir: string; remove(): void };
  let redisServer: DurableRedis;
  let redis: Redis;
  let sink: SlackSink;
  let notifier: ServiceProcess;
  let syncer: EventPublisher;
  let deliveries: Queue;

  beforeAll(async () => {
    work = makeWorkDir('faults-notifier');
    [redisServer, sink] = await Promise.all([startDurableRedis(), startSlackSink()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    syncer = createEventPublisher({ redis, source: '/tidewater/syncer' });
    deliveries = new Queue('tidewater-notifier-deliveries', { connection: redis.duplicate() });
    const configDir = writeFaultConfig({
      dir: join(work.dir, 'config'), repoURL: 'https://git.example.com/acme/fault-repo.git', webhookSecretEnv: 'TIDEWATER_SECRET_WEBHOOK',
      apps: [{ name: app, path: 'apps/web', namespace: 'fault-web' }],
      slack: { apiUrl: `${sink.url}/api`, urlEnv: 'TIDEWATER_SECRET_SLACK_HOOK' },
    });
    notifier = startService('notifier', {
      REDIS_URL: redisServer.url, TIDEWATER_CONFIG: configDir, TIDEWATER_SECRET_SLACK_HOOK: `${sink.url}${hookPath}`,
      // Capped backoff: during an outage a message is tried at least every 2 s (default 60 s).
      TIDEWATER_NOTIFY_RETRY_MAX_DELAY_MS: '2000',
    }, work.dir);
    await notifier.waitForLog('notifier started', {}, 60_000);
  });
  afterAll(async () => {
    await notifier?.stop();
    await deliveries?.close();
    redis?.disconnect();
    await sink?.close();
    await redisServer?.stop();
    work?.remove();
  });

  const deployed = (revision: string) => syncer.publish({ type: eventTypes.syncSucceeded, data: { app, revision, actor: 'alice', durationMs: 900 } });
  const requestsFor = (revision: string, since = 0) => sink.to(hookPath).filter((request) => request.receivedAt >= since && request.body.includes(revision.slice(0, 7)));
  const settled = () => waitFor('the delivery queue to be empty', async () => {
    const counts = await deliveries.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).every((count) => count === 0);
  }, { timeoutMs: 60_000 });

  it('every deploy of a 20 s outage (500, then 429 with Retry-After; notifier killed -9 in it) reaches Slack exactly once after it', async () => {
    sink.always(hookPath, { status: 500, body: 'internal_error' });
    const outageStart = Date.now();
    const revisions = Array.from({ length: 6 }, newRevision);
    for (const revision of revisions.slice(0, 3)) await deployed(revision);
    await waitFor('each early deploy to be attempted', () => revisions.slice(0, 3).every((revision) => requestsFor(revision).length > 0));
    await notifier.kill9();
    for (const revision of revisions.slice(3)) await deployed(revision);
    notifier.restart();
    await notifier.waitForLog('notifier started', {}, 60_000);
    sink.always(hookPath, { status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' });
    // The outage lasts its length whatever happens meanwhile: this wait is the fault, not a guess at a condition.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageMs - (Date.now() - outageStart))));
    sink.always(hookPath, { status: 200, body: 'ok' });
    const outageEnd = Date.now();

    for (const revision of revisions) await waitForEvents(redis, eventTypes.notificationSent, { app, revision }, 1, 60_000);
    await settled();
    const delivered = revisions.map((revision) => requestsFor(revision, outageEnd));
    measured('slack-outage', {
      outage_ms: outageEnd - outageStart, attempts_during_outage: sink.to(hookPath).filter((request) => request.receivedAt < outageEnd).length,
      all_delivered_after_outage_ms: Math.max(...delivered.flat().map((request) => request.receivedAt)) - outageEnd,
    });
    // Exactly once: one accepted (200) request per deploy, none of them dropped.
    expect(delivered.map((requests) => requests.length)).toEqual(revisions.map(() => 1));
    for (const revision of revisions) expect(await eventsOf(redis, eventTypes.notificationSent, { app, revision })).toHaveLength(1);
    expect(await eventsOf(redis, eventTypes.notificationFailed, { app })).toEqual([]);
    expect(await eventsOf(redis, eventTypes.notificationChannelUnhealthy)).toEqual([]);
    expect(notifier.logs().some((record) => record.msg === 'notification attempt failed; retrying')).toBe(true);
  });

  it('a notifier killed -9 while Slack holds its request open: the delivery is taken over and sent once', async () => {
    const revision = newRevision();
    sink.script(hookPath, [{ hang: true }]);
    await deployed(revision);
    await waitFor('the send to be in flight', () => requestsFor(revision).length > 0);
    await notifier.kill9();
    const killedAt = Date.now();
    notifier.restart();
    const [sent] = await waitForEvents(redis, eventTypes.notificationSent, { app, revision }, 1, 60_000);
    await settled();
    measured('notifier-kill-mid-send', { delivered_after_kill_ms: Date.parse(sent.time) - killedAt });
    // The hung request was never answered; the retry is the only message Slack accepted.
    expect(requestsFor(revision)).toHaveLength(2);
    expect(await eventsOf(redis, eventTypes.notificationSent, { app, revision })).toHaveLength(1);
  });
});
