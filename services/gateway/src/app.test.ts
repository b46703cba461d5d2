import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createProducers, createRedisConnection, queueNames, redisKeys, type Producers, type RenderJob } from '@tidewater/queues';
import { createLogger, getMetrics, startTelemetry, type TelemetryHandle } from '@tidewater/telemetry';
import { freePort, startRedis, type RedisInstance } from '../../../test/harness/src/index.ts';
import { createGatewayApp } from './app.ts';
import {
  bitbucketHeaders, bitbucketPushPayload, giteaHeaders, giteaPushPayload, githubHeaders, githubPingPayload,
  githubPushPayload, gitlabHeaders, gitlabPushPayload, sha, zeroSha,
} from './providers/fixtures/push-payloads.ts';

// Secrets live in the environment, referenced by the Repository documents, exactly as an operator configures them.
const secrets = {
  platformOld: 'platform-secret-2025',
  platformNew: 'platform-secret-2026',
  other: 'other-repo-secret',
  gitlab: 'gitlab-plain-token',
  gitea: 'gitea-hmac-secret',
  bitbucket: 'bitbucket-hmac-secret',
};
process.env.TIDEWATER_SECRET_GW_TEST_PLATFORM_OLD = secrets.platformOld;
process.env.TIDEWATER_SECRET_GW_TEST_PLATFORM_NEW = secrets.platformNew;
process.env.TIDEWATER_SECRET_GW_TEST_OTHER = secrets.other;
process.env.TIDEWATER_SECRET_GW_TEST_GITLAB = secrets.gitlab;
process.env.TIDEWATER_SECRET_GW_TEST_GITEA = secrets.gitea;
process.env.TIDEWATER_SECRET_GW_TEST_BITBUCKET = secrets.bitbucket;

function app(name: string, repoURL: string, path: string, targetRevision = 'HEAD'): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: default
  source: {repoURL: '${repoURL}', path: '${path}', targetRevision: '${targetRevision}'}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;
}

function repository(name: string, url: string, provider: string, secretRefs: string): string {
  return `apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: ${name}}
spec: {url: '${url}', provider: ${provider}, webhookSecretRef: ${secretRefs}}
`;
}

function loadTestConfig(): TidewaterConfig {
  const platform = 'https://github.com/acme/platform.git';
  const documents = [
    repository('platform', 'git@github.com:acme/platform.git', 'github', '[{env: TIDEWATER_SECRET_GW_TEST_PLATFORM_OLD}, {env: TIDEWATER_SECRET_GW_TEST_PLATFORM_NEW}]'),
    repository('other', 'https://github.com/acme/other', 'github', '{env: TIDEWATER_SECRET_GW_TEST_OTHER}'),
    repository('infra', 'https://gitlab.example.com/acme/infra.git', 'gitlab', '{env: TIDEWATER_SECRET_GW_TEST_GITLAB}'),
    repository('deploy', 'https://gitea.example.com/acme/deploy.git', 'gitea', '{env: TIDEWATER_SECRET_GW_TEST_GITEA}'),
    repository('fleet', 'git@bitbucket.org:acme/fleet.git', 'bitbucket', '{env: TIDEWATER_SECRET_GW_TEST_BITBUCKET}'),
    app('web', platform, 'apps/web'),
    app('api', platform, 'apps/api', 'main'),
    app('worker', platform, 'apps/worker', 'main'),
    app('release', platform, 'apps/web', 'v1.2.0'),
    app('pinned', platform, 'apps/web', 'c'.repeat(40)),
    app('other-web', 'https://github.com/acme/other.git', 'apps/web'),
    app('infra-web', 'git@gitlab.example.com:acme/infra.git', 'web', 'main'),
    app('deploy-app', 'https://gitea.example.com/acme/deploy', '.'),
    app('fleet-a', 'https://bitbucket.org/acme/fleet.git', 'a', 'main'),
    app('fleet-b', 'https://bitbucket.org/acme/fleet.git', 'b', 'main'),
    app('fleet-dev', 'https://bitbucket.org/acme/fleet.git', 'a', 'develop'),
  ];
  const result = buildConfig([{ file: 'gateway-test.yaml', text: documents.join('---\n') }]);
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.config;
}

let redisServer: RedisInstance;
let redis: Redis;
let producers: Producers;
let gateway: FastifyInstance;
let renderQueue: Queue;
let telemetry: TelemetryHandle;
const logger = createLogger('gateway-test', { level: 'silent' });
const config = loadTestConfig();
const maxBodyBytes = 256 * 1024;

async function connected(url: string): Promise<Redis> {
  const connection = createRedisConnection(url, 'producer');
  connection.on('error', () => {});
  if (connection.status !== 'ready') await new Promise((resolve) => connection.once('ready', resolve));
  return connection;
}

beforeAll(async () => {
  // Real span ids (exported nowhere), so trace context reaches jobs and events as in production.
  telemetry = startTelemetry({ serviceName: 'gateway-test' });
  redisServer = await startRedis();
  redis = await connected(redisServer.url);
  producers = createProducers({ connection: redis });
  gateway = createGatewayApp({
    config: () => config, redis, producers, events: createEventPublisher({ redis, source: '/tidewater/gateway' }), logger, maxBodyBytes,
  });
  renderQueue = new Queue(queueNames.render, { connection: redis });
});

afterAll(async () => {
  await gateway?.close();
  await renderQueue?.close();
  await producers?.close();
  await redis?.quit();
  await redisServer?.stop();
  await telemetry?.shutdown();
});

beforeEach(async () => {
  await redis.flushdb();
});

async function renderJobIds(): Promise<string[]> {
  const jobs = await renderQueue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
  return jobs.map((job) => job.id as string).sort();
}

async function postGithub(payload: unknown, options: { secret?: string; event?: string; deliveryId?: string } = {}) {
  const body = JSON.stringify(payload);
  const headers = await githubHeaders(body, 'secret' in options ? options.secret : secrets.platformNew, options.event ?? 'push', options.deliveryId);
  return gateway.inject({ method: 'POST', url: '/webhooks/git/github', headers, payload: body });
}

function platformPush(after: string, paths: string[], overrides: Partial<Parameters<typeof githubPushPayload>[0]> = {}) {
  return githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/heads/main', after, commits: [{ id: after, modified: paths }], ...overrides });
}

describe('GitHub push', () => {
  it('queues one render for the app whose folder changed, with the deterministic job id', async () => {
    const after = sha('web-change');
    const response = await postGithub(platformPush(after, ['apps/web/deployment.yaml']), { deliveryId: 'gh-delivery-1' });

    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ deliveryId: 'gh-delivery-1', queued: [`render:web:${after}`], apps: ['web'] });
    expect(await renderJobIds()).toEqual([`render:web:${after}`]);
    const job = await renderQueue.getJob(`render:web:${after}`);
    const data = job?.data as RenderJob;
    expect(data).toMatchObject({
      app: 'web', repoURL: 'https://github.com/acme/platform.git', revision: after, targetRevision: 'HEAD',
      trigger: { kind: 'webhook', provider: 'github', deliveryId: 'gh-delivery-1', actor: 'dana' },
    });
    expect(data.trigger.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const traceId = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(data.trace.traceparent ?? '')?.[1];
    expect(traceId).toBeDefined();

    const received = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.webhookReceived);
    expect(received).toHaveLength(1);
    expect(received[0].data).toMatchObject({
      provider: 'github', deliveryId: 'gh-delivery-1', ref: 'refs/heads/main', revision: after, apps: ['web'], actor: 'dana',
      repo: 'git@github.com:acme/platform.git', traceId,
    });
  });

  it('queues every app of the branch whose folder changed, and none of another branch or a pinned commit', async () => {
    const after = sha('multi');
    const response = await postGithub(platformPush(after, ['apps/web/a.yaml', 'apps/api/b.yaml', 'apps/worker/c.yaml']));
    expect(response.statusCode).toBe(202);
    expect(response.json().apps.sort()).toEqual(['api', 'web', 'worker']);
    expect(await renderJobIds()).toEqual([`render:api:${after}`, `render:web:${after}`, `render:worker:${after}`]);
  });

  it('does not queue an app whose folder the push did not touch', async () => {
    const after = sha('api-only');
    const response = await postGithub(platformPush(after, ['apps/api/deployment.yaml']));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ queued: [`render:api:${after}`], apps: ['api'] });
    expect(await renderJobIds()).toEqual([`render:api:${after}`]);
  });

  it('queues an app when the push changed a path its last render read outside its folder', async () => {
    await redis.sadd(redisKeys.sourcePaths('worker'), 'apps/worker', 'bases/common');
    const after = sha('base-change');
    const response = await postGithub(platformPush(after, ['bases/common/configmap.yaml']));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ queued: [`render:worker:${after}`], apps: ['worker'] });
    expect(await renderJobIds()).toEqual([`render:worker:${after}`]);
  });

  it('answers 202 with no apps when the push changed nothing any app reads', async () => {
    const response = await postGithub(platformPush(sha('docs'), ['docs/README.md']));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ queued: [], apps: [] });
    expect(await renderJobIds()).toEqual([]);
  });

  it('a tag push queues only the app following that tag, at the tagged commit', async () => {
    const payload = githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/tags/v1.2.0', after: sha('tag-object'), headCommitId: sha('tagged-commit') });
    const response = await postGithub(payload);
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ queued: [`render:release:${sha('tagged-commit')}`], apps: ['release'] });
    expect((await renderQueue.getJob(`render:release:${sha('tagged-commit')}`))?.data).toMatchObject({ targetRevision: 'v1.2.0' });
  });

  it('a push to another tag queues nothing', async () => {
    const response = await postGithub(githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/tags/v9.9.9', after: sha('v999') }));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ queued: [], apps: [] });
  });

  it('a branch deletion queues nothing and says why', async () => {
    const response = await postGithub(githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/heads/main', after: zeroSha }));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ ignored: true, reason: expect.stringContaining('deleted'), queued: [] });
    expect(await renderJobIds()).toEqual([]);
  });

  it('accepts the form-encoded delivery GitHub sends for content type application/x-www-form-urlencoded', async () => {
    const after = sha('form');
    const body = new URLSearchParams({ payload: JSON.stringify(platformPush(after, ['apps/web/x.yaml'])) }).toString();
    const headers = { ...(await githubHeaders(body, secrets.platformNew)), 'content-type': 'application/x-www-form-urlencoded' };
    const response = await gateway.inject({ method: 'POST', url: '/webhooks/git/github', headers, payload: body });
    expect(response.statusCode).toBe(202);
    expect(response.json().apps).toEqual(['web']);
  });

  it('dedupes a redelivery: the second answer is a duplicate and one job exists', async () => {
    const after = sha('dup');
    const payload = platformPush(after, ['apps/web/x.yaml']);
    const first = await postGithub(payload, { deliveryId: 'gh-dup' });
    const second = await postGithub(payload, { deliveryId: 'gh-dup' });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toMatchObject({ deliveryId: 'gh-dup', duplicate: true, queued: [] });
    expect(await renderJobIds()).toEqual([`render:web:${after}`]);
    expect(await redis.ttl(redisKeys.delivery('github', 'gh-dup'))).toBeGreaterThan(0);
  });

  it('accepts either secret of a Repository during rotation', async () => {
    const oldSigned = await postGithub(platformPush(sha('rot-old'), ['apps/web/x.yaml']), { secret: secrets.platformOld });
    const newSigned = await postGithub(platformPush(sha('rot-new'), ['apps/web/x.yaml']), { secret: secrets.platformNew });
    expect([oldSigned.statusCode, newSigned.statusCode]).toEqual([202, 202]);
    expect(await renderJobIds()).toEqual([`render:web:${sha('rot-new')}`, `render:web:${sha('rot-old')}`].sort());
  });

  it('takes a rotated secret from the next configuration load, never because a request failed', async () => {
    let current = loadTestConfig();
    const reloading = createGatewayApp({
      config: () => current, redis, producers, events: createEventPublisher({ redis, source: '/tidewater/gateway' }), logger,
    });
    try {
      expect((await postGithubTo(reloading, platformPush(sha('before-rotation'), ['apps/web/x.yaml']), 'gh-rot-1')).statusCode).toBe(202);
      process.env.TIDEWATER_SECRET_GW_TEST_PLATFORM_NEW = 'platform-secret-2027';
      const body = JSON.stringify(platformPush(sha('rotated'), ['apps/web/x.yaml']));
      const rotatedHeaders = async (deliveryId: string) => githubHeaders(body, 'platform-secret-2027', 'push', deliveryId);
      // The loaded configuration's secrets stay in force: the request does not make the gateway read them again.
      expect((await reloading.inject({ method: 'POST', url: '/webhooks/git/github', headers: await rotatedHeaders('gh-rot-2'), payload: body })).statusCode).toBe(401);
      current = loadTestConfig(); // what SIGHUP (or `tide all`'s reload) does
      expect((await reloading.inject({ method: 'POST', url: '/webhooks/git/github', headers: await rotatedHeaders('gh-rot-3'), payload: body })).statusCode).toBe(202);
    } finally {
      process.env.TIDEWATER_SECRET_GW_TEST_PLATFORM_NEW = secrets.platformNew;
      await reloading.close();
    }
  });

  it('answers a ping with 200 and queues nothing', async () => {
    const response = await postGithub(githubPingPayload('acme', 'platform'), { event: 'ping' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
    expect(await renderJobIds()).toEqual([]);
  });

  it('ignores other event types with 202 and a reason', async () => {
    const response = await postGithub({ action: 'opened', number: 1, repository: { full_name: 'acme/platform', clone_url: 'https://github.com/acme/platform.git' } }, { event: 'pull_request' });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ ignored: true, reason: expect.stringContaining('pull_request') });
    expect(await renderJobIds()).toEqual([]);
  });
});

describe('pause gate (application paused after a rollback)', () => {
  it('holds a commit the app already knew, then resumes it on a new commit', async () => {
    await redis.set(redisKeys.paused('web'), JSON.stringify({ revision: sha('pause-v1'), by: 'alice', at: 'now', reason: 'rollback', from: sha('pause-v2') }));

    const held = await postGithub(platformPush(sha('pause-v2'), ['apps/web/x.yaml', 'apps/api/y.yaml']), { deliveryId: 'gh-pause-1' });
    expect(held.statusCode).toBe(202);
    expect(held.json()).toEqual({ deliveryId: 'gh-pause-1', queued: [`render:api:${sha('pause-v2')}`], apps: ['api'], paused: ['web'] });
    expect(await redis.exists(redisKeys.paused('web'))).toBe(1);

    const resumed = await postGithub(platformPush(sha('pause-v3'), ['apps/web/x.yaml']), { deliveryId: 'gh-pause-2', secret: secrets.platformNew });
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json()).toEqual({ deliveryId: 'gh-pause-2', queued: [`render:web:${sha('pause-v3')}`], apps: ['web'] });
    expect(await redis.exists(redisKeys.paused('web'))).toBe(0);
    expect(await redis.zscore(redisKeys.pushedRevisions('web'), sha('pause-v3'))).not.toBeNull();
    expect(await redis.zscore(redisKeys.pushedRevisions('api'), sha('pause-v2'))).not.toBeNull();
    expect(await redis.zscore(redisKeys.pushedRevisions('web'), sha('pause-v2'))).toBeNull();
    const resumedEvents = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.syncResumed);
    expect(resumedEvents.map((event) => event.data)).toMatchObject([{ app: 'web', revision: sha('pause-v3'), deliveryId: 'gh-pause-2', reason: 'new commit' }]);
    expect(await renderJobIds()).toEqual([`render:api:${sha('pause-v2')}`, `render:web:${sha('pause-v3')}`]);
  });
});

describe('request logging', () => {
  it('logs one line per webhook delivery (none of fastify\'s request lines) and keeps them for other routes', async () => {
    const records: Array<{ level: number; message: string; fields: Record<string, unknown> }> = [];
    const capturing = createLogger('gateway-log-test', {
      level: 'info',
      hooks: {
        logMethod(args, _method, level) {
          const [first, second] = args as unknown[];
          const fields = typeof first === 'object' && first !== null ? first as Record<string, unknown> : {};
          records.push({ level, message: String(typeof first === 'string' ? first : second), fields });
        },
      },
    });
    const logged = createGatewayApp({
      config: () => config, redis, producers, events: createEventPublisher({ redis, source: '/tidewater/gateway' }), logger: capturing,
    });
    try {
      const after = sha('logged');
      const accepted = await postGithubTo(logged, platformPush(after, ['apps/web/x.yaml']), 'gh-logged');
      expect(accepted.statusCode).toBe(202);
      expect(records.map((record) => record.message)).toEqual(['webhook push accepted']);
      expect(records[0].fields).toMatchObject({ provider: 'github', deliveryId: 'gh-logged', revision: after, apps: ['web'], jobIds: [`render:web:${after}`] });

      records.length = 0;
      const body = JSON.stringify(platformPush(sha('logged-bad'), ['apps/web/x.yaml']));
      const rejected = await logged.inject({ method: 'POST', url: '/webhooks/git/github', headers: await githubHeaders(body, 'wrong', 'push', 'gh-logged-bad'), payload: body });
      expect(rejected.statusCode).toBe(401);
      expect(records.map((record) => record.message)).toEqual(['webhook rejected']);
      expect(records[0].fields).toMatchObject({ provider: 'github', deliveryId: 'gh-logged-bad', statusCode: 401 });

      records.length = 0;
      expect((await logged.inject({ method: 'POST', url: '/webhooks/git/unknown', headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(404);
      expect(records.map((record) => record.message)).toEqual(['incoming request', 'request completed']);
    } finally {
      await logged.close();
    }
  });
});

describe('rejections', () => {
  /** How often `tidewater_webhook_rejected_total{provider, reason}` counted so far. */
  async function rejectedCount(provider: string, reason: string): Promise<number> {
    const { values } = await getMetrics().webhookRejections.get();
    return values.find((value) => value.labels.provider === provider && value.labels.reason === reason)?.value ?? 0;
  }

  /** Runs `request` and returns how much it moved the rejection counter for `provider` and `reason`. */
  async function counted<T>(provider: string, reason: string, request: () => Promise<T>): Promise<{ result: T; delta: number }> {
    const before = await rejectedCount(provider, reason);
    const result = await request();
    return { result, delta: (await rejectedCount(provider, reason)) - before };
  }

  it('401 for a bad signature: counted in the rejection metric, nothing written to Redis (no event, no job, no claim)', async () => {
    const { result: response, delta } = await counted('github', 'signature_invalid',
      () => postGithub(platformPush(sha('bad'), ['apps/web/x.yaml']), { secret: 'not-the-secret', deliveryId: 'gh-bad' }));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'WEBHOOK_SIGNATURE_INVALID', statusCode: 401 });
    expect(delta).toBe(1);
    expect(await renderJobIds()).toEqual([]);
    expect(await readAllEvents(redis)).toEqual([]);
    expect(await redis.dbsize()).toBe(0);
    const exposition = await getMetrics().registry.metrics();
    expect(exposition).toMatch(/tidewater_webhook_rejected_total\{provider="github",reason="signature_invalid"\} \d+/);
    for (const secret of Object.values(secrets)) expect(exposition).not.toContain(secret);
  });

  it('401 for a missing signature', async () => {
    const { result: response, delta } = await counted('github', 'signature_missing',
      () => postGithub(platformPush(sha('unsigned'), ['apps/web/x.yaml']), { secret: undefined }));
    expect(response.statusCode).toBe(401);
    expect(delta).toBe(1);
    expect(await renderJobIds()).toEqual([]);
  });

  it('401 when a valid secret of another repository signs this repository\'s push', async () => {
    const response = await postGithub(platformPush(sha('cross'), ['apps/web/x.yaml']), { secret: secrets.other });
    expect(response.statusCode).toBe(401);
    expect(await renderJobIds()).toEqual([]);
  });

  it('401 for a push from a repository no Repository document names', async () => {
    const payload = githubPushPayload({ owner: 'acme', name: 'unknown', ref: 'refs/heads/main', after: sha('u'), commits: [{ id: sha('u'), modified: ['x'] }] });
    const response = await postGithub(payload);
    expect(response.statusCode).toBe(401);
  });

  it('415 for a content type that is not JSON', async () => {
    const body = JSON.stringify(platformPush(sha('ct'), ['apps/web/x.yaml']));
    const headers = { ...(await githubHeaders(body, secrets.platformNew)), 'content-type': 'text/plain' };
    const { result: response, delta } = await counted('github', 'unsupported_media_type',
      () => gateway.inject({ method: 'POST', url: '/webhooks/git/github', headers, payload: body }));
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE', statusCode: 415 });
    expect(delta).toBe(1);
    expect(await readAllEvents(redis)).toEqual([]);
  });

  it('415 for a form-encoded body on a provider that only sends JSON', async () => {
    const body = 'payload=%7B%7D';
    const headers = { ...giteaHeaders(body, secrets.gitea), 'content-type': 'application/x-www-form-urlencoded' };
    const response = await gateway.inject({ method: 'POST', url: '/webhooks/git/gitea', headers, payload: body });
    expect(response.statusCode).toBe(415);
  });

  it('413 with a JSON error for a body over the limit', async () => {
    const payload = platformPush(sha('big'), ['apps/web/x.yaml'], { commits: [{ id: sha('big'), message: 'x'.repeat(maxBodyBytes) }] });
    const { result: response, delta } = await counted('github', 'payload_too_large', () => postGithub(payload));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'PAYLOAD_TOO_LARGE', statusCode: 413 });
    expect(delta).toBe(1);
    expect(await readAllEvents(redis)).toEqual([]);
    expect(await renderJobIds()).toEqual([]);
  });

  it('400 for malformed JSON that is correctly signed', async () => {
    const body = '{"ref": "refs/heads/main", "after": ';
    const headers = await githubHeaders(body, secrets.platformNew);
    const { result: response, delta } = await counted('github', 'payload_invalid',
      () => gateway.inject({ method: 'POST', url: '/webhooks/git/github', headers, payload: body }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'WEBHOOK_PAYLOAD_INVALID', statusCode: 400 });
    expect(delta).toBe(1);
    expect(await readAllEvents(redis)).toEqual([]);
  });

  it('400 for a signed push that lacks the fields we need, naming the field', async () => {
    const response = await postGithub({ repository: { full_name: 'acme/platform', clone_url: 'https://github.com/acme/platform.git' }, after: sha('no-ref') });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('push payload field "ref": is required (string)');
    expect(await renderJobIds()).toEqual([]);
  });

  it.each([
    ['a commit id that is not hex (it would reach git as a revision)', { after: '--upload-pack=touch /tmp/pwned' }, 'after', 'must be a 40- or 64-hex-digit commit id'],
    ['a file list of the wrong type', { commits: [{ id: sha('typed'), modified: 'apps/web/x.yaml' }] }, 'commits[0].modified', 'expected array, received string'],
    ['a ref that is not a full ref name', { ref: 'main' }, 'ref', 'must be a full ref name (refs/heads/…, refs/tags/…)'],
  ])('400 naming the field for a signed push with %s, and no job', async (_title, override, field, problem) => {
    const response = await postGithub({ ...platformPush(sha('typed'), ['apps/web/x.yaml']), ...override });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'WEBHOOK_PAYLOAD_INVALID', message: `push payload field "${field}": ${problem}` });
    expect(await renderJobIds()).toEqual([]);
    expect(await readAllEvents(redis)).toEqual([]);
  });

  it('404 JSON for an unknown provider', async () => {
    const response = await gateway.inject({ method: 'POST', url: '/webhooks/git/unknown', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'NOT_FOUND' });
  });
});

describe('GitLab push', () => {
  it('verifies the token and queues the app whose folder changed', async () => {
    const after = sha('gl');
    const payload = gitlabPushPayload({ pathWithNamespace: 'acme/infra', ref: 'refs/heads/main', after, commits: [{ id: after, modified: ['web/deployment.yaml'] }] });
    const response = await gateway.inject({
      method: 'POST', url: '/webhooks/git/gitlab', headers: gitlabHeaders(secrets.gitlab, 'Push Hook', 'gl-uuid-1', 'gl-idem-1'), payload: JSON.stringify(payload),
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ deliveryId: 'gl-idem-1', queued: [`render:infra-web:${after}`], apps: ['infra-web'] });
    expect((await renderQueue.getJob(`render:infra-web:${after}`))?.data).toMatchObject({ trigger: { provider: 'gitlab', actor: 'dana', deliveryId: 'gl-idem-1' } });
    expect(await redis.exists(redisKeys.delivery('gitlab', 'gl-idem-1'))).toBe(1);
  });

  it('401 for a wrong token', async () => {
    const payload = gitlabPushPayload({ pathWithNamespace: 'acme/infra', ref: 'refs/heads/main', after: sha('gl-bad') });
    const response = await gateway.inject({ method: 'POST', url: '/webhooks/git/gitlab', headers: gitlabHeaders('wrong-token'), payload: JSON.stringify(payload) });
    expect(response.statusCode).toBe(401);
    expect(await renderJobIds()).toEqual([]);
  });
});

describe('Gitea push', () => {
  it('verifies X-Gitea-Signature and queues the whole-repository app', async () => {
    const after = sha('gitea');
    const body = JSON.stringify(giteaPushPayload({ owner: 'acme', name: 'deploy', ref: 'refs/heads/main', after, commits: [{ id: after, added: ['k8s/svc.yaml'] }] }));
    const response = await gateway.inject({ method: 'POST', url: '/webhooks/git/gitea', headers: giteaHeaders(body, secrets.gitea, 'gitea-1'), payload: body });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ deliveryId: 'gitea-1', queued: [`render:deploy-app:${after}`], apps: ['deploy-app'] });
  });
});

describe('Bitbucket push', () => {
  it('without file lists queues every app following the pushed branch, one change at a time', async () => {
    const main = sha('bb-main');
    const body = JSON.stringify(bitbucketPushPayload('acme/fleet', [
      { type: 'branch', name: 'main', oldHash: sha('bb-main-old'), newHash: main },
      { type: 'branch', name: 'feature', newHash: sha('bb-feature') },
    ]));
    const response = await gateway.inject({ method: 'POST', url: '/webhooks/git/bitbucket', headers: bitbucketHeaders(body, secrets.bitbucket, 'bb-1'), payload: body });
    expect(response.statusCode).toBe(202);
    expect(response.json().deliveryId).toBe('bb-1');
    expect(response.json().apps.sort()).toEqual(['fleet-a', 'fleet-b']);
    expect(await renderJobIds()).toEqual([`render:fleet-a:${main}`, `render:fleet-b:${main}`]);
  });

  it('401 without a signature', async () => {
    const body = JSON.stringify(bitbucketPushPayload('acme/fleet', [{ type: 'branch', name: 'main', newHash: sha('bb-x') }]));
    const response = await gateway.inject({ method: 'POST', url: '/webhooks/git/bitbucket', headers: bitbucketHeaders(body, undefined), payload: body });
    expect(response.statusCode).toBe(401);
  });
});

describe('queue failures', () => {
  it('answers 503 and forgets the delivery, so the provider\'s retry is processed', async () => {
    const failing: Producers = { ...producers, requestRender: async () => { throw new Error('queue unavailable'); } };
    const failingGateway = createGatewayApp({
      config: () => config, redis, producers: failing, events: createEventPublisher({ redis, source: '/tidewater/gateway' }), logger,
    });
    const after = sha('retry');
    const payload = platformPush(after, ['apps/web/x.yaml']);
    try {
      const failed = await postGithubTo(failingGateway, payload, 'gh-retry');
      expect(failed.statusCode).toBe(503);
      expect(failed.json()).toMatchObject({ error: 'SERVICE_UNAVAILABLE' });
      expect(await redis.exists(redisKeys.delivery('github', 'gh-retry'))).toBe(0);
    } finally {
      await failingGateway.close();
    }
    const retried = await postGithub(payload, { deliveryId: 'gh-retry' });
    expect(retried.statusCode).toBe(202);
    expect(retried.json().apps).toEqual(['web']);
  });
});

async function postGithubTo(target: FastifyInstance, payload: unknown, deliveryId: string) {
  const body = JSON.stringify(payload);
  return target.inject({ method: 'POST', url: '/webhooks/git/github', headers: await githubHeaders(body, secrets.platformNew, 'push', deliveryId), payload: body });
}

describe('health', () => {
  it('healthz and readyz answer 200 with Redis up', async () => {
    expect((await gateway.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await gateway.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('readyz answers 503 when Redis does not answer', async () => {
    const unreachable = createRedisConnection(`redis://127.0.0.1:${await freePort()}`, 'producer', { lazyConnect: true, retryStrategy: () => null });
    unreachable.on('error', () => {});
    const cut = createGatewayApp({
      config: () => config, redis: unreachable, producers, events: createEventPublisher({ redis, source: '/tidewater/gateway' }), logger,
    });
    try {
      expect((await cut.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      expect((await cut.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await cut.close();
      unreachable.disconnect();
    }
  });
});
