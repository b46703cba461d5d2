import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventsStreamKey, eventTypes, readAllEvents, type CloudEvent, type EventPublisher } from '@tidewater/events';
import { startRedis, waitFor, type RedisInstance } from '../../../test/harness/src/index.ts';
import { verifyWebhookSignature } from './delivery/webhook-signature.ts';
import { createNotifier, type Notifier, type NotifierDeliveryOptions } from './notifier.ts';
import { startSlackSink, type SlackSink } from './test-support/slack-sink.ts';

const revision1 = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const revision2 = 'b2c3d4e5f60718293a4b5c6d7e8f901234567890';
const revision3 = 'c3d4e5f60718293a4b5c6d7e8f90123456789012';
const hookPath = '/services/T000/B000/hooksecret123';
const gonePath = '/services/T000/B000/gonesecret456';
const secrets = { token: 'xoxb-secret-token-123', signing: 'whsec-test-secret', headerAuth: 'Bearer-auth-value' };
const secretFragments = ['hooksecret123', 'gonesecret456', 'hangsecret789', 'failsecret000', ...Object.values(secrets)];

const shopApplication = (annotations = '') => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
${annotations}
spec:
  project: default
  source:
    repoURL: https://git.example.com/acme/shop.git
    targetRevision: main
    path: deploy
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
`;

function configOf(...documents: string[]): TidewaterConfig {
  const { config, errors } = buildConfig([{ file: 'test.yaml', text: documents.join('\n---\n') }]);
  expect(errors.map((error) => error.message)).toEqual([]);
  return config;
}

describe('notifier', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let sink: SlackSink;
  let syncer: EventPublisher;
  let logLines: Array<Record<string, unknown>>;
  let rawLogs: string[];
  const running: Notifier[] = [];

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    sink = await startSlackSink();
    syncer = createEventPublisher({ redis, source: '/tidewater/syncer' });
  });
  afterAll(async () => {
    await sink?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
    sink.requests.length = 0;
    logLines = [];
    rawLogs = [];
  });
  afterEach(async () => {
    for (const notifier of running.splice(0)) await notifier.stop();
    // No secret (webhook URL tokens, bot token, signing secret, header credential) in any log line or event.
    const events = JSON.stringify(await readAllEvents(redis));
    for (const fragment of secretFragments) {
      expect(rawLogs.join('\n')).not.toContain(fragment);
      expect(events).not.toContain(fragment);
    }
    expect(rawLogs.join('\n')).not.toContain(sink.url);
  });

  function notifierFor(config: TidewaterConfig, options: { delivery?: NotifierDeliveryOptions; now?: () => number } = {}): Notifier {
    const logger = pino({ level: 'debug' }, {
      write(line: string) {
        rawLogs.push(line);
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    const notifier = createNotifier({
      config: () => config,
      redis,
      logger,
      events: createEventPublisher({ redis, source: '/tidewater/notifier' }),
      consumerName: 'test',
      env: {
        TIDEWATER_SECRET_SLACK_HOOK: `${sink.url}${hookPath}`,
        TIDEWATER_SECRET_GONE_HOOK: `${sink.url}${gonePath}`,
        TIDEWATER_SECRET_HANG_HOOK: `${sink.url}/services/T000/B000/hangsecret789`,
        TIDEWATER_SECRET_FAIL_HOOK: `${sink.url}/services/T000/B000/failsecret000`,
        TIDEWATER_SECRET_SLACK_TOKEN: secrets.token,
        TIDEWATER_SECRET_SIGNING_SECRET: secrets.signing,
        TIDEWATER_SECRET_HOOK_AUTH: secrets.headerAuth,
      },
      delivery: { baseDelayMs: 10, ...options.delivery },
      ...(options.now ? { now: options.now } : {}),
    });
    running.push(notifier);
    return notifier;
  }

  async function eventsOf(type: string): Promise<CloudEvent[]> {
    return (await readAllEvents(redis)).filter((event) => event.type === type);
  }

  const syncSucceeded = (revision: string, extra: Record<string, unknown> = {}) => syncer.publish({
    type: eventTypes.syncSucceeded,
    data: { app: 'shop', revision, actor: 'alice', durationMs: 12_400, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', ...extra },
  });

  const hookChannel = (name: string, urlEnv: string, spec = '') => `
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata:
  name: ${name}
spec:
  type: slack
  webhookUrlRef: {env: ${urlEnv}}
  apiUrl: ${sink.url}/api
  subscriptions:
    - trigger: on-sync-succeeded
      apps: ['shop*']
${spec}`;

  it('sends exactly one Slack message per revision, even when an event is published twice and redelivered after a restart', async () => {
    const config = configOf(hookChannel('team-slack', 'TIDEWATER_SECRET_SLACK_HOOK'), shopApplication());
    const first = notifierFor(config);
    first.start();
    await syncSucceeded(revision1);
    await syncSucceeded(revision1); // the same deploy reported twice
    await waitFor('the notification.sent event', async () => (await eventsOf(eventTypes.notificationSent)).length === 1);
    await first.stop();

    // A restart that re-reads the whole stream (the group rewound) delivers every event again.
    await redis.xgroup('SETID', eventsStreamKey, 'notifier', '0');
    const second = notifierFor(config);
    expect(await second.drainOnce()).toBeGreaterThanOrEqual(2);
    expect(sink.to(hookPath)).toHaveLength(1);

    const message = JSON.parse(sink.to(hookPath)[0].body) as { text: string; blocks: Array<Record<string, unknown>> };
    expect(message.text).toContain('Application *shop* synced successfully at revision');
    expect(message.text).toContain(`<https://git.example.com/acme/shop/commit/${revision1}|a1b2c3d>`);
    expect(message.text).toContain('Result: Succeeded');
    expect(message.text).toContain('Author: alice');
    expect(message.text).toContain('Duration: 12.4 s');
    expect(JSON.stringify(message.blocks)).toContain('*Revision*');

    await syncSucceeded(revision2);
    await second.drainOnce();
    expect(sink.to(hookPath)).toHaveLength(2);
    expect(JSON.parse(sink.to(hookPath)[1].body).text).toContain('|b2c3d4e>');
    const sent = await eventsOf(eventTypes.notificationSent);
    expect(sent.map((event) => [event.data.channel, event.data.trigger, event.data.revision])).toEqual([
      ['team-slack', 'on-sync-succeeded', revision1],
      ['team-slack', 'on-sync-succeeded', revision2],
    ]);
  });

  it('queues the message of a handler that died between claiming the deploy and queueing it', async () => {
    // What a notifier killed mid-handling leaves behind: the once-key holds a delivery id, no job exists.
    await redis.set(`tidewater:notifier:once:on-sync-succeeded:shop:${revision1}:team-slack`, 'orphaned-delivery', 'EX', 3_600);
    const notifier = notifierFor(configOf(hookChannel('team-slack', 'TIDEWATER_SECRET_SLACK_HOOK'), shopApplication()));
    await syncSucceeded(revision1);
    await notifier.drainOnce();
    expect(sink.to(hookPath)).toHaveLength(1);
    const [sent] = await eventsOf(eventTypes.notificationSent);
    expect(sent.data).toMatchObject({ deliveryId: 'orphaned-delivery', revision: revision1 });
  });

  it('follows argocd-notifications subscription annotations, posting with the bot token to each named channel', async () => {
    const botChannel = `
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata:
  name: slack-bot
spec:
  type: slack
  tokenRef: {env: TIDEWATER_SECRET_SLACK_TOKEN}
  channel: general
  apiUrl: ${sink.url}/api
`;
    const annotations = `  annotations:
    notifications.argoproj.io/subscribe.on-deployed.slack: "deployments;releases"
    notifications.argoproj.io/subscribe.on-sync-failed.slack-bot: ""`;
    const notifier = notifierFor(configOf(botChannel, shopApplication(annotations)));
    await syncSucceeded(revision1, { health: 'Healthy' });
    await syncer.publish({ type: eventTypes.syncFailed, data: { app: 'shop', revision: revision2, actor: 'bob', reason: 'namespace "shop" is forbidden' } });
    await syncer.publish({ type: eventTypes.syncSucceeded, data: { app: 'other', revision: revision1 } });
    await notifier.drainOnce();

    const posts = sink.to('/api/chat.postMessage');
    expect(posts.map((post) => post.headers.authorization)).toEqual(Array(3).fill(`Bearer ${secrets.token}`));
    const bodies = posts.map((post) => JSON.parse(post.body) as { channel: string; text: string });
    expect(bodies.map((body) => body.channel).sort()).toEqual(['deployments', 'general', 'releases']);
    const deployed = bodies.find((body) => body.channel === 'deployments')!;
    expect(deployed.text).toContain('Application *shop* was deployed');
    expect(deployed.text).toContain('Health: Healthy');
    const failed = bodies.find((body) => body.channel === 'general')!;
    expect(failed.text).toContain('failed to sync');
    expect(failed.text).toContain('Result: Failed');
    expect(failed.text).toContain('Reason: namespace "shop" is forbidden');
  });

  it('honours a 429 Retry-After before the next attempt', async () => {
    sink.script(hookPath, [{ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' }]);
    const notifier = notifierFor(configOf(hookChannel('team-slack', 'TIDEWATER_SECRET_SLACK_HOOK'), shopApplication()));
    await syncSucceeded(revision1);
    await notifier.drainOnce();

    const attempts = sink.to(hookPath);
    expect(attempts).toHaveLength(2);
    // The backoff is 10 ms here: only Slack's Retry-After explains a wait of about a second.
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(900);
    const [sent] = await eventsOf(eventTypes.notificationSent);
    expect(sent.data).toMatchObject({ channel: 'team-slack', app: 'shop', revision: revision1, attempts: 2 });
    expect(await eventsOf(eventTypes.notificationFailed)).toEqual([]);
  });

  it('signs generic webhooks with a timestamped HMAC-SHA256 a receiver can verify', async () => {
    const fixedNow = Date.now();
    const webhookChannel = `
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata:
  name: audit-hook
spec:
  type: webhook
  url: ${sink.url}/hooks/tidewater
  secretRef: {env: TIDEWATER_SECRET_SIGNING_SECRET}
  headers:
    - {name: X-Team, value: platform}
    - {name: Authorization, valueRef: {env: TIDEWATER_SECRET_HOOK_AUTH}}
  subscriptions:
    - trigger: on-sync-failed
`;
    const notifier = notifierFor(configOf(webhookChannel, shopApplication()), { now: () => fixedNow });
    await syncer.publish({ type: eventTypes.syncFailed, data: { app: 'shop', revision: revision1, actor: 'alice', reason: 'apply failed' } });
    await notifier.drainOnce();

    const [request] = sink.to('/hooks/tidewater');
    const header = String(request.headers['x-tidewater-signature']);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBe(Math.floor(fixedNow / 1_000));
    const expected = createHmac('sha256', secrets.signing).update(`${match![1]}.${request.body}`).digest('hex');
    expect(match![2]).toBe(expected);
    expect(verifyWebhookSignature({ header, body: request.body, secrets: [secrets.signing], nowSeconds: Math.floor(fixedNow / 1_000) })).toBe(true);
    expect(verifyWebhookSignature({ header, body: `${request.body} `, secrets: [secrets.signing], nowSeconds: Math.floor(fixedNow / 1_000) })).toBe(false);
    expect(verifyWebhookSignature({ header, body: request.body, secrets: [secrets.signing], nowSeconds: Math.floor(fixedNow / 1_000) + 3_600 })).toBe(false);

    expect(request.headers['x-team']).toBe('platform');
    expect(request.headers.authorization).toBe(secrets.headerAuth);
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toMatchObject({ trigger: 'on-sync-failed', channel: 'audit-hook', app: 'shop', revision: revision1, result: 'Failed', reason: 'apply failed' });
    expect(body.message).toContain('Application shop failed to sync at revision a1b2c3d');
  });

  it('reports a Slack URL answering 404 once, names the channel, pauses it and holds later messages, and leaks no URL or token', async () => {
    sink.always(gonePath, { status: 404, body: 'no_service' });
    const notifier = notifierFor(configOf(hookChannel('gone-slack', 'TIDEWATER_SECRET_GONE_HOOK'), shopApplication()));
    await syncSucceeded(revision1);
    await notifier.drainOnce();

    const [failed] = await eventsOf(eventTypes.notificationFailed);
    expect(failed.data).toMatchObject({ channel: 'gone-slack', trigger: 'on-sync-succeeded', app: 'shop', revision: revision1, status: 404 });
    expect(failed.data.reason).toBe('HTTP 404 no_service');
    const [unhealthy] = await eventsOf(eventTypes.notificationChannelUnhealthy);
    expect(unhealthy.data).toMatchObject({ channel: 'gone-slack', reason: 'HTTP 404 no_service' });
    expect(sink.to(gonePath)).toHaveLength(1); // gone is permanent: not retried

    // While paused, the next deploy is held until the pause ends: neither sent to the dead URL nor dropped.
    await syncSucceeded(revision2);
    notifier.start();
    const logged = (msg: string) => logLines.filter((line) => line.msg === msg);
    await waitFor('the second message to be held', () => logged('channel paused; notification held until the pause ends').find((line) => line.revision === revision2));
    expect(sink.to(gonePath)).toHaveLength(1);
    expect(await eventsOf(eventTypes.notificationFailed)).toHaveLength(1);
    expect(logged('notification failed').map((line) => [line.channel, line.revision])).toEqual([['gone-slack', revision1]]);
    expect(logged('notification channel marked unhealthy; deliveries paused')).toHaveLength(1);
  });

  it('cuts a hanging endpoint with a timeout and gives up after the last attempt', async () => {
    const hangPath = '/services/T000/B000/hangsecret789';
    sink.always(hangPath, { hang: true });
    const notifier = notifierFor(configOf(hookChannel('slow-slack', 'TIDEWATER_SECRET_HANG_HOOK'), shopApplication()), { delivery: { requestTimeoutMs: 200, attempts: 2 } });
    await syncSucceeded(revision1);
    await notifier.drainOnce();
    expect(sink.to(hangPath)).toHaveLength(2);
    const [failed] = await eventsOf(eventTypes.notificationFailed);
    expect(failed.data).toMatchObject({ channel: 'slow-slack', reason: 'no answer within 200 ms (after 2 attempts)', attempts: 2 });
    // The key of the deploy was freed: a later redelivery of the event may send it.
    expect(await redis.keys('tidewater:notifier:once:*')).toEqual([]);
  });

  it('marks a channel whose messages keep failing for good unhealthy after the threshold, and holds the next message', async () => {
    const failPath = '/services/T000/B000/failsecret000';
    sink.always(failPath, { status: 500, body: 'internal_error' });
    const notifier = notifierFor(configOf(hookChannel('flaky-slack', 'TIDEWATER_SECRET_FAIL_HOOK'), shopApplication()), { delivery: { attempts: 2, failureThreshold: 2 } });
    for (const revision of [revision1, revision2]) {
      await syncSucceeded(revision);
      await notifier.drainOnce();
    }
    await syncSucceeded(revision3);
    notifier.start();
    await waitFor('the third message to be held', () => logLines.find((line) => line.msg === 'channel paused; notification held until the pause ends' && line.revision === revision3));
    expect(sink.to(failPath)).toHaveLength(4); // two deliveries, two attempts each; the third waits for the pause to end
    const failures = await eventsOf(eventTypes.notificationFailed);
    expect(failures.map((event) => event.data.reason)).toEqual([
      'HTTP 500 internal_error (after 2 attempts)',
      'HTTP 500 internal_error (after 2 attempts)',
    ]);
    expect(await eventsOf(eventTypes.notificationChannelUnhealthy)).toHaveLength(1);
  });

  it('waits out an outage with capped backoff and delivers the message once after it', async () => {
    sink.script(hookPath, [
      ...Array.from({ length: 6 }, () => ({ status: 500, body: 'internal_error' })),
      { status: 429, headers: { 'retry-after': '0' }, body: 'rate_limited' },
    ]);
    const notifier = notifierFor(configOf(hookChannel('team-slack', 'TIDEWATER_SECRET_SLACK_HOOK'), shopApplication()), { delivery: { maxDelayMs: 40 } });
    await syncSucceeded(revision1);
    await notifier.drainOnce();
    expect(sink.to(hookPath)).toHaveLength(8);
    const [sent] = await eventsOf(eventTypes.notificationSent);
    expect(sent.data).toMatchObject({ channel: 'team-slack', revision: revision1, attempts: 8 });
    expect(await eventsOf(eventTypes.notificationFailed)).toEqual([]);
    // Capped: no wait between two attempts grew beyond the cap by much (the 429 asked for none).
    const gaps = sink.to(hookPath).slice(1).map((request, index) => request.receivedAt - sink.to(hookPath)[index].receivedAt);
    expect(Math.max(...gaps)).toBeLessThan(5_000);
  });

  it('gives a message up, reported and named, once its event is older than the age limit', async () => {
    const failPath = '/services/T000/B000/failsecret000';
    sink.always(failPath, { status: 503, body: 'service_unavailable' });
    const notifier = notifierFor(configOf(hookChannel('flaky-slack', 'TIDEWATER_SECRET_FAIL_HOOK'), shopApplication()), { delivery: { maxDelayMs: 50, maxAgeMs: 400 } });
    await syncSucceeded(revision1);
    await notifier.drainOnce();
    expect(sink.to(failPath).length).toBeGreaterThanOrEqual(2);
    const [failed] = await eventsOf(eventTypes.notificationFailed);
    expect(failed.data).toMatchObject({ channel: 'flaky-slack', app: 'shop', revision: revision1 });
    expect(failed.data.reason).toMatch(/^HTTP 503 service_unavailable \(after \d+ attempts; not delivered within 400 ms\)$/);
  });

  it('sends a message whose template references a missing field, with a placeholder and a warning', async () => {
    const templated = hookChannel('team-slack', 'TIDEWATER_SECRET_SLACK_HOOK', `  template:
    text: "Deployed {{ app }} at {{ revisionShort }} for ticket {{ data.ticket }}"`);
    const notifier = notifierFor(configOf(templated, shopApplication()));
    await syncSucceeded(revision1);
    await notifier.drainOnce();

    const [message] = sink.to(hookPath);
    expect(JSON.parse(message.body)).toEqual({ text: 'Deployed shop at a1b2c3d for ticket [missing: data.ticket]' });
    const warnings = logLines.filter((line) => line.msg === 'notification template references a missing field; sent with a placeholder');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ channel: 'team-slack', field: 'data.ticket', app: 'shop' });
  });

  it('delays messages beyond a channel rate limit instead of dropping them', async () => {
    const limited = hookChannel('team-slack', 'TIDEWATER_SECRET_SLACK_HOOK', `  rateLimit: {perMinute: 2}`);
    // The window is shortened so the delayed message goes out within the test.
    const notifier = notifierFor(configOf(limited, shopApplication()), { delivery: { rateLimitWindowMs: 1_500, concurrency: 1 } });
    for (const revision of [revision1, revision2, revision3]) await syncSucceeded(revision);
    await notifier.drainOnce();

    const texts = sink.to(hookPath).map((request) => JSON.parse(request.body).text as string);
    expect(texts).toHaveLength(3);
    expect(texts.map((text) => /\|([0-9a-f]{7})>/.exec(text)?.[1]).sort()).toEqual(['a1b2c3d', 'b2c3d4e', 'c3d4e5f']);
    const delayed = logLines.filter((line) => line.msg === 'notification delayed by the channel rate limit');
    expect(delayed.length).toBeGreaterThanOrEqual(1);
    expect(delayed[0]).toMatchObject({ channel: 'team-slack', perMinute: 2 });
    expect(await eventsOf(eventTypes.notificationSent)).toHaveLength(3);
    expect(await eventsOf(eventTypes.notificationFailed)).toEqual([]);
  });
});
