// Door: a secret goes only to the host it belongs to. A Slack token or incoming-webhook URL is sent only to Slack's
// hosts or the channel's configured apiUrl; a generic webhook's header and signing secrets only to its channel URL;
// a redirect never carries them (redirects are not followed); and at send time a reference is read only inside the
// notifier's secret scope, symlinks resolved. Attacked with real local HTTP servers: the wrong host receives nothing.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import { createNotifier, type Notifier } from '@tidewater/notifier';
import { createRedisConnection } from '@tidewater/queues';
import { makeWorkDir, startRedis, type RedisInstance } from '../harness/src/index.ts';

interface Received { path: string; headers: IncomingHttpHeaders; body: string }
interface Host { url: string; received: Received[]; close(): Promise<void> }

/** A real HTTP server that records every request and answers with `reply` (e.g. a redirect to another host). */
async function startHost(reply: (request: Received) => { status: number; headers?: Record<string, string>; body?: string }): Promise<Host> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() };
      received.push(entry);
      const answer = reply(entry);
      response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const secrets = {
  slackToken: `xoxb-${randomBytes(10).toString('hex')}`,
  hookToken: `hook${randomBytes(10).toString('hex')}`,
  headerAuth: `Bearer ${randomBytes(10).toString('hex')}`,
  signing: `whsec-${randomBytes(10).toString('hex')}`,
  outsideFile: `outside-${randomBytes(10).toString('hex')}`,
  redisPassword: `redis-${randomBytes(10).toString('hex')}`,
};

const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop}
spec:
  project: default
  source: {repoURL: 'https://git.example.com/acme/shop.git', targetRevision: main, path: deploy}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop}
`;

let redisServer: RedisInstance;
let redis: Redis;
let attacker: Host;
let work: ReturnType<typeof makeWorkDir>;
let secretDir: string;
const logLines: string[] = [];
const running: Notifier[] = [];
let revisionCounter = 0;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = createRedisConnection(redisServer.url, 'worker');
  attacker = await startHost(() => ({ status: 200, body: 'ok' }));
  work = makeWorkDir('secrets-delivery');
  secretDir = join(work.dir, 'secrets');
  mkdirSync(secretDir);
  writeFileSync(join(work.dir, 'host-file'), secrets.outsideFile);
  // Inside the secret directory by name, outside by its real path.
  symlinkSync(join(work.dir, 'host-file'), join(secretDir, 'escape'));
});

afterAll(async () => {
  await attacker?.close();
  redis?.disconnect();
  await redisServer?.stop();
  work?.remove();
});

afterEach(async () => {
  for (const notifier of running.splice(0)) await notifier.stop();
});

/** The configuration as a service's loader builds it; scope errors are returned there, so `lenient` keeps the documents to prove the send-time check too. */
function configOf(channel: string, lenient = false): TidewaterConfig {
  const { config, errors } = buildConfig([{ file: 'channels.yaml', text: `${channel}\n---\n${application}` }]);
  if (!lenient) expect(errors.map((error) => error.message)).toEqual([]);
  return config;
}

/** Sends one on-sync-succeeded notification through the real notifier and returns what it recorded. */
async function notifyOnce(config: TidewaterConfig): Promise<CloudEvent[]> {
  const revision = `${++revisionCounter}`.padStart(40, 'a');
  const notifier = createNotifier({
    config: () => config, redis, consumerName: 'security', prefix: `notify-${revisionCounter}`,
    logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
    events: createEventPublisher({ redis, source: '/tidewater/notifier' }),
    delivery: { baseDelayMs: 10, attempts: 2 },
    env: {
      TIDEWATER_SECRET_DIRS: secretDir,
      TIDEWATER_SECRET_SLACK_TOKEN: secrets.slackToken,
      TIDEWATER_SECRET_SLACK_HOOK: `${attacker.url}/services/T0/B0/${secrets.hookToken}`,
      TIDEWATER_SECRET_HOOK_AUTH: secrets.headerAuth,
      TIDEWATER_SECRET_SIGNING: secrets.signing,
      REDIS_PASSWORD: secrets.redisPassword,
    },
  });
  running.push(notifier);
  await createEventPublisher({ redis, source: '/tidewater/syncer' }).publish({ type: eventTypes.syncSucceeded, data: { app: 'shop', revision } });
  await notifier.drainOnce();
  return (await readAllEvents(redis)).filter((event) => event.data.revision === revision && event.type.startsWith('dev.tidewater.notification.'));
}

const allText = async () => `${logLines.join('\n')}\n${JSON.stringify(await readAllEvents(redis))}`;

describe('a Slack secret', () => {
  it('is not sent when the incoming-webhook URL points at a host that is neither hooks.slack.com nor the channel\'s apiUrl', async () => {
    const events = await notifyOnce(configOf(`apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: team-slack}
spec:
  type: slack
  webhookUrlRef: {env: TIDEWATER_SECRET_SLACK_HOOK}
  subscriptions: [{trigger: on-sync-succeeded}]
`));
    expect(attacker.received).toEqual([]);
    expect(events.map((event) => event.type)).toEqual([eventTypes.notificationFailed]);
    expect(String(events[0].data.reason)).toMatch(/outside https:\/\/hooks\.slack\.com/);
    expect(await allText()).not.toContain(secrets.hookToken);
  });

  it('goes only to the configured apiUrl host: its redirect to another host carries no token', async () => {
    const slackApi = await startHost((request) => ({ status: 302, headers: { location: `${attacker.url}${request.path}` } }));
    try {
      const events = await notifyOnce(configOf(`apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: slack-bot}
spec:
  type: slack
  tokenRef: {env: TIDEWATER_SECRET_SLACK_TOKEN}
  channel: deployments
  apiUrl: ${slackApi.url}/api
  subscriptions: [{trigger: on-sync-succeeded}]
`));
      expect(slackApi.received.map((request) => [request.path, request.headers.authorization])).toEqual([['/api/chat.postMessage', `Bearer ${secrets.slackToken}`]]);
      expect(attacker.received).toEqual([]);
      expect(events.map((event) => event.type)).toEqual([eventTypes.notificationFailed]);
      expect(String(events[0].data.reason)).toMatch(/HTTP 302.*redirects are not followed/);
      expect(await allText()).not.toContain(secrets.slackToken);
    } finally {
      await slackApi.close();
    }
  });
});

describe('a generic webhook\'s secrets', () => {
  it('go to the channel URL\'s host only: a 307 to another host is not followed with the header or signature', async () => {
    const receiver = await startHost((request) => ({ status: 307, headers: { location: `${attacker.url}${request.path}` } }));
    try {
      const events = await notifyOnce(configOf(`apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: audit-hook}
spec:
  type: webhook
  url: ${receiver.url}/hooks/tidewater
  secretRef: {env: TIDEWATER_SECRET_SIGNING}
  headers:
    - {name: Authorization, valueRef: {env: TIDEWATER_SECRET_HOOK_AUTH}}
  subscriptions: [{trigger: on-sync-succeeded}]
`));
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0].headers.authorization).toBe(secrets.headerAuth);
      expect(attacker.received).toEqual([]);
      expect(events.map((event) => event.type)).toEqual([eventTypes.notificationFailed]);
      expect(await allText()).not.toContain(secrets.headerAuth);
    } finally {
      await receiver.close();
    }
  });

  it('are never read from outside the notifier\'s scope, even from a configuration that got past the loader', async () => {
    for (const valueRef of ['{env: REDIS_PASSWORD}', `{file: ${join(secretDir, 'escape')}}`]) {
      const events = await notifyOnce(configOf(`apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: exfiltrate}
spec:
  type: webhook
  url: ${attacker.url}/collect
  headers:
    - {name: Authorization, valueRef: ${valueRef}}
  subscriptions: [{trigger: on-sync-failed}, {trigger: on-sync-succeeded}]
`, true));
      expect(events.map((event) => event.type)).toEqual([eventTypes.notificationFailed]);
      expect(String(events[0].data.reason)).toMatch(/outside the secret (scope|directories)/);
    }
    expect(attacker.received).toEqual([]);
    const text = await allText();
    expect(text).not.toContain(secrets.redisPassword);
    expect(text).not.toContain(secrets.outsideFile);
  });
});
