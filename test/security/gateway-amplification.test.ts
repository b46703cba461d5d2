import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventsStreamKey, readAllEvents } from '@tidewater/events';
import {
  createGatewayApp, createGitProviderAdapters, defaultWebhookRateLimit, gitProviders, webhookIngressFromEnv,
  type GatewayDeps, type GitProvider, type GitProviderAdapter,
} from '@tidewater/gateway';
import { createProducers, createRedisConnection, type Producers } from '@tidewater/queues';
import { createLogger, getMetrics } from '@tidewater/telemetry';
import { startRedis, type RedisInstance } from '@tidewater/harness';
import { parseGatewayEnv } from '../../services/gateway/src/env.ts';
import { githubPushPayload, sha } from '../../services/gateway/src/providers/fixtures/push-payloads.ts';
import { escapes, signedHeaders } from './gateway-fuzz-support.ts';

// Door: the webhook port used as an amplifier. A forged or malformed request may cost the gateway at most one
// HMAC per configured candidate secret; it never reads a secret again, never writes to Redis (no event that
// could trim real ones off the capped stream, no dedupe key), and a flood from one address meets 429 before
// its body is read. Driven through the real app on a real redis-server.

const secretValues = {
  platformOld: 'amp-platform-secret-old-1f0c',
  platformNew: 'amp-platform-secret-new-77ab',
  other: 'amp-other-secret-2b9e',
  gitlab: 'amp-gitlab-token-4d1a',
  global: 'amp-global-secret-c3d5',
};
const secretEnv: Record<string, string> = {
  TIDEWATER_SECRET_AMP_PLATFORM_OLD: secretValues.platformOld,
  TIDEWATER_SECRET_AMP_PLATFORM_NEW: secretValues.platformNew,
  TIDEWATER_SECRET_AMP_OTHER: secretValues.other,
  TIDEWATER_SECRET_AMP_GITLAB: secretValues.gitlab,
};
/** GitHub's route may be signed by the platform's two secrets, the other repository's and the global one. */
const githubCandidates = 4;

function loadConfig(): TidewaterConfig {
  const result = buildConfig([{
    file: 'amp.yaml',
    text: `apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: platform}
spec: {url: 'https://github.com/amp/platform.git', provider: github, webhookSecretRef: [{env: TIDEWATER_SECRET_AMP_PLATFORM_OLD}, {env: TIDEWATER_SECRET_AMP_PLATFORM_NEW}]}
---
apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: other}
spec: {url: 'https://github.com/amp/other.git', provider: github, webhookSecretRef: {env: TIDEWATER_SECRET_AMP_OTHER}}
---
apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: infra}
spec: {url: 'https://gitlab.example.com/amp/infra.git', provider: gitlab, webhookSecretRef: {env: TIDEWATER_SECRET_AMP_GITLAB}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  project: default
  source: {repoURL: 'https://github.com/amp/platform.git', path: apps/web, targetRevision: main}
  destination: {server: https://kubernetes.default.svc, namespace: web}
`,
  }]);
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.config;
}

/** Adapters that count signature checks and the secrets each was given (each secret costs one HMAC or compare). */
function countingAdapters() {
  const checks: Array<{ provider: GitProvider; secrets: number }> = [];
  const adapters = createGitProviderAdapters();
  const counting = Object.fromEntries(gitProviders.map((provider) => {
    const adapter: GitProviderAdapter = adapters[provider];
    return [provider, {
      ...adapter,
      verifiedSecrets(rawBody: Buffer, headers: Parameters<GitProviderAdapter['verifiedSecrets']>[1], secrets: readonly string[]) {
        checks.push({ provider, secrets: secrets.length });
        return adapter.verifiedSecrets(rawBody, headers, secrets);
      },
    } satisfies GitProviderAdapter];
  })) as Record<GitProvider, GitProviderAdapter>;
  return { checks, adapters: counting };
}

let redisServer: RedisInstance;
let redis: Redis;
let producers: Producers;
const apps: FastifyInstance[] = [];

function gateway(overrides: Partial<GatewayDeps> = {}): FastifyInstance {
  const config = loadConfig();
  const app = createGatewayApp({
    config: () => config, redis, producers, events: createEventPublisher({ redis, source: '/tidewater/gateway' }),
    logger: createLogger('gateway-amplification', { level: 'silent' }), globalWebhookSecret: secretValues.global, ...overrides,
  });
  apps.push(app);
  return app;
}

function platformPush(label: string): string {
  const after = sha(label);
  return JSON.stringify(githubPushPayload({ owner: 'amp', name: 'platform', ref: 'refs/heads/main', after, commits: [{ id: after, modified: ['apps/web/a.yaml'] }] }));
}

function signedPush(label: string, secret: string, address = '192.0.2.10'): InjectOptions {
  const body = platformPush(label);
  return { method: 'POST', url: '/webhooks/git/github', payload: body, remoteAddress: address, headers: signedHeaders('github', body, secret, randomUUID()) };
}

/** Forged and malformed requests of every kind the routes refuse, from `address`. */
function forgedRequests(count: number, address: string): InjectOptions[] {
  return Array.from({ length: count }, (_, index): InjectOptions => {
    const body = platformPush(`forged-${index}`);
    const headers = signedHeaders('github', body, 'a-guessed-secret', randomUUID());
    const base = { method: 'POST' as const, url: '/webhooks/git/github', payload: body, remoteAddress: address };
    switch (index % 6) {
      case 0: return { ...base, headers };
      case 1: return { ...base, headers: { ...headers, 'x-hub-signature-256': 'sha256=not-hex' } };
      case 2: return { ...base, headers: { 'content-type': 'application/json', 'x-github-event': 'push' } };
      case 3: return { ...base, headers: { ...headers, 'content-type': 'text/plain' } };
      case 4: return { ...base, url: '/webhooks/git/gitlab', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' } };
      default: return { ...base, headers: { ...headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, payload: `${body}${' '.repeat(64 * 1024)}` };
    }
  });
}

async function rejected(reason: string): Promise<number> {
  const { values } = await getMetrics().webhookRejections.get();
  return values.filter((value) => value.labels.reason === reason).reduce((sum, value) => sum + value.value, 0);
}

beforeAll(async () => {
  Object.assign(process.env, secretEnv);
  redisServer = await startRedis();
  redis = createRedisConnection(redisServer.url, 'producer');
  redis.on('error', () => {});
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  producers = createProducers({ connection: redis });
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await producers?.close();
  await redis?.quit();
  await redisServer?.stop();
  for (const name of Object.keys(secretEnv)) delete process.env[name];
});

beforeEach(async () => {
  await redis.flushdb();
  Object.assign(process.env, secretEnv);
});

describe('a flood of forged webhooks', () => {
  it('costs at most one HMAC per candidate secret each, reads no secret again and writes nothing to Redis', async () => {
    const { checks, adapters } = countingAdapters();
    const app = gateway({ adapters, rateLimit: { max: 0, timeWindowMs: 60_000 } });
    // A real delivery first: the configuration's secrets are read now, once.
    expect((await app.inject(signedPush('first', secretValues.platformNew))).statusCode).toBe(202);
    const keysBefore = (await redis.keys('*')).sort();
    const eventsBefore = await readAllEvents(redis);
    checks.length = 0;

    // Whatever a re-read would now see is different: a request must not make the gateway look.
    for (const name of Object.keys(secretEnv)) process.env[name] = `${process.env[name]}-changed`;
    const flood = forgedRequests(600, '203.0.113.5');
    const statuses = new Map<number, number>();
    for (const request of flood) {
      const { statusCode } = await app.inject(request);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 500, 415: 100 });

    // One signature check per request that reached it, each over the route's distinct candidates only;
    // a signature that cannot be a SHA-256 digest and a missing one cost none (checked inside the adapter).
    expect(checks.length).toBeLessThanOrEqual(flood.length);
    expect(Math.max(...checks.map((check) => check.secrets))).toBeLessThanOrEqual(githubCandidates);
    expect(checks.filter((check) => check.provider === 'gitlab').every((check) => check.secrets === 2)).toBe(true);

    // Nothing was written: no event (the stream keeps exactly what it had), no dedupe key, no job.
    expect((await redis.keys('*')).sort()).toEqual(keysBefore);
    expect(await readAllEvents(redis)).toEqual(eventsBefore);

    // The secrets loaded with the configuration are still the ones in force: they were never read again.
    expect((await app.inject(signedPush('still-old', secretValues.platformNew))).statusCode).toBe(202);
    expect((await app.inject(signedPush('changed', `${secretValues.platformNew}-changed`))).statusCode).toBe(401);
  });

  it('cannot trim real events off the capped events stream before consumers read them', async () => {
    // Real events a slow consumer has not read yet, in a stream capped at 100 entries.
    const publisher = createEventPublisher({ redis, source: '/tidewater/syncer', maxLength: 100 });
    for (let i = 0; i < 100; i++) await publisher.publish({ type: 'dev.tidewater.sync.succeeded', subject: 'web', data: { app: 'web', revision: sha(`real-${i}`) } });
    const realIds = (await redis.xrange(eventsStreamKey, '-', '+')).map(([id]) => id);
    expect(realIds).toHaveLength(100);

    const app = gateway({ rateLimit: { max: 0, timeWindowMs: 60_000 } });
    const before = await rejected('signature_invalid');
    for (const request of forgedRequests(1_200, '203.0.113.6')) await app.inject(request);
    expect(await rejected('signature_invalid') - before).toBe(800);

    expect((await redis.xrange(eventsStreamKey, '-', '+')).map(([id]) => id)).toEqual(realIds);
    expect(await escapes(redis)).toMatchObject({ jobs: 0, events: 100 });
  });
});

describe('a replayed delivery', () => {
  it('is a duplicate under any fresh delivery id: one job, one event, no key left per replay', async () => {
    const app = gateway({ rateLimit: { max: 0, timeWindowMs: 60_000 } });
    const captured = signedPush('captured', secretValues.platformNew);
    const first = await app.inject(captured);
    expect(first.statusCode).toBe(202);
    expect(first.json().queued).toHaveLength(1);
    const keysAfterFirst = (await redis.keys('*')).sort();
    const eventsAfterFirst = await readAllEvents(redis);

    // The delivery id header is not covered by the signature: an attacker who captured the request changes it.
    for (let i = 0; i < 100; i++) {
      const replay = await app.inject({ ...captured, headers: { ...(captured.headers as Record<string, string>), 'x-github-delivery': randomUUID() } });
      expect(replay.statusCode).toBe(202);
      expect(replay.json()).toMatchObject({ duplicate: true, queued: [] });
    }
    expect(await readAllEvents(redis)).toEqual(eventsAfterFirst);
    expect((await redis.keys('*')).sort()).toEqual(keysAfterFirst);
    expect(await escapes(redis)).toMatchObject({ jobs: 1 });
  });
});

describe('per-source rate limit', () => {
  it('defaults to 600 requests per minute per address, configurable through the environment', () => {
    expect(defaultWebhookRateLimit).toEqual({ max: 600, timeWindowMs: 60_000 });
    const defaults = parseGatewayEnv({ TIDEWATER_CONFIG: '/etc/tidewater' });
    expect([defaults.TIDEWATER_WEBHOOK_RATE_LIMIT_MAX, defaults.TIDEWATER_WEBHOOK_RATE_LIMIT_WINDOW_MS]).toEqual([600, 60_000]);
    const tuned = parseGatewayEnv({ TIDEWATER_CONFIG: '/etc/tidewater', TIDEWATER_WEBHOOK_RATE_LIMIT_MAX: '0', TIDEWATER_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
    expect(tuned.TIDEWATER_WEBHOOK_RATE_LIMIT_MAX).toBe(0);
    expect(tuned.TIDEWATER_TRUST_PROXY).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => parseGatewayEnv({ TIDEWATER_CONFIG: '/etc/tidewater', TIDEWATER_WEBHOOK_RATE_LIMIT_MAX: 'lots' })).toThrow(/TIDEWATER_WEBHOOK_RATE_LIMIT_MAX/);
    // `tide all` reads the same variables.
    expect(webhookIngressFromEnv({ TIDEWATER_WEBHOOK_RATE_LIMIT_MAX: '1200', TIDEWATER_TRUST_PROXY: 'true' })).toEqual({ rateLimit: { max: 1200, timeWindowMs: 60_000 }, trustProxy: true });
  });

  it('lets a burst of 20 pushes from one Git host through, then answers a flood from one address 429 with Retry-After before any HMAC', async () => {
    const { checks, adapters } = countingAdapters();
    const app = gateway({ adapters });
    const gitHost = '140.82.115.1';

    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => app.inject(signedPush(`burst-${i}`, secretValues.platformNew, gitHost))));
    expect(burst.map((response) => response.statusCode)).toEqual(Array(20).fill(202));

    // The same address keeps sending forged requests: the rest of its default allowance, then 429.
    const attacker = '203.0.113.7';
    const allowed = await Promise.all(forgedRequests(defaultWebhookRateLimit.max, attacker).map((request) => app.inject(request)));
    expect(allowed.every((response) => response.statusCode !== 429)).toBe(true);
    const checksBefore = checks.length;
    const rateLimitedBefore = await rejected('rate_limited');
    const limited = await Promise.all(forgedRequests(50, attacker).map((request) => app.inject(request)));
    expect(limited.map((response) => response.statusCode)).toEqual(Array(50).fill(429));
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThan(0);
    expect(limited[0].json()).toMatchObject({ error: 'RATE_LIMITED', statusCode: 429 });
    expect(checks.length).toBe(checksBefore);
    expect(await rejected('rate_limited') - rateLimitedBefore).toBe(50);

    // Other sources, the Git host among them, are still served.
    expect((await app.inject(signedPush('after-flood', secretValues.platformNew, gitHost))).statusCode).toBe(202);
    expect((await app.inject(forgedRequests(1, '203.0.113.8')[0])).statusCode).toBe(401);
  });

  it('keys on the forwarded address only behind a trusted proxy', async () => {
    const app = gateway({ rateLimit: { max: 2, timeWindowMs: 60_000 }, trustProxy: ['127.0.0.1'] });
    const forged = forgedRequests(1, '127.0.0.1')[0];
    const via = (remoteAddress: string, client: string): InjectOptions => ({ ...forged, remoteAddress, headers: { ...forged.headers, 'x-forwarded-for': client } });
    // One after the other: @fastify/rate-limit's in-memory store hands concurrent requests one shared counter,
    // so requests racing across the limit may all see the final count.
    const statuses = async (requests: InjectOptions[]) => {
      const answers: number[] = [];
      for (const request of requests) answers.push((await app.inject(request)).statusCode);
      return answers;
    };
    expect(await statuses([1, 2, 3].map(() => via('127.0.0.1', '198.51.100.1')))).toEqual([401, 401, 429]);
    expect(await statuses([via('127.0.0.1', '198.51.100.2')])).toEqual([401]);
    // A client that is not the trusted proxy cannot pick a fresh allowance with a forged X-Forwarded-For.
    expect(await statuses(['198.51.100.3', '198.51.100.4', '198.51.100.5'].map((client) => via('203.0.113.9', client)))).toEqual([401, 401, 429]);
  });
});
