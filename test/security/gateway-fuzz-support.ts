/**
 * Property-based fuzzing of the gateway's webhook routes (fast-check), shared by
 * test/security/gateway-fuzz.test.ts (a bounded run in every `scripts/test`) and bench/fuzz-webhooks.ts
 * (10,000 requests, recorded in docs/security.md). The gateway is the real app (`createGatewayApp`) on a real
 * redis-server, driven with `app.inject()`; what counts is what reached Redis afterwards.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventsStreamKey } from '@tidewater/events';
import { createGatewayApp, gitProviders, type GitProvider } from '@tidewater/gateway';
import { createProducers, createRedisConnection, queueNames, type Producers } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startRedis, type RedisInstance } from '@tidewater/harness';
import {
  bitbucketPushPayload, giteaPushPayload, githubPushPayload, gitlabPushPayload, sha,
} from '../../services/gateway/src/providers/fixtures/push-payloads.ts';

/** Webhook secrets of the fuzzed configuration, referenced with the `TIDEWATER_SECRET_` prefix as an operator would. */
export const fuzzSecrets: Record<GitProvider | 'global', string> = {
  github: 'fuzz-github-secret-5b1d',
  gitlab: 'fuzz-gitlab-token-93ac',
  gitea: 'fuzz-gitea-secret-71fe',
  bitbucket: 'fuzz-bitbucket-secret-0c42',
  global: 'fuzz-global-secret-e6d8',
};

const repositories: Record<GitProvider, { url: string; fullName: string }> = {
  github: { url: 'https://github.com/fuzz/platform.git', fullName: 'fuzz/platform' },
  gitlab: { url: 'https://gitlab.example.com/fuzz/infra.git', fullName: 'fuzz/infra' },
  gitea: { url: 'https://gitea.example.com/fuzz/deploy.git', fullName: 'fuzz/deploy' },
  bitbucket: { url: 'https://bitbucket.org/fuzz/fleet.git', fullName: 'fuzz/fleet' },
};

function fuzzConfig(): TidewaterConfig {
  const documents = gitProviders.flatMap((provider) => {
    const envName = `TIDEWATER_SECRET_FUZZ_${provider.toUpperCase()}`;
    process.env[envName] = fuzzSecrets[provider];
    return [
      `apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: fuzz-${provider}}
spec: {url: '${repositories[provider].url}', provider: ${provider}, webhookSecretRef: {env: ${envName}}}
`,
      // The app follows `main` and reads the whole repository: any well-formed push to it would queue a render.
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: fuzz-${provider}-app}
spec:
  project: default
  source: {repoURL: '${repositories[provider].url}', path: '.', targetRevision: main}
  destination: {server: https://kubernetes.default.svc, namespace: fuzz}
`,
    ];
  });
  const result = buildConfig([{ file: 'fuzz.yaml', text: documents.join('---\n') }]);
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.config;
}

export interface FuzzTarget {
  app: FastifyInstance;
  redis: Redis;
  redisServer: RedisInstance;
  /** A correctly signed push that queues a render: proof, after the fuzz, that the gateway still works. */
  legitimatePush(): InjectOptions;
  stop(): Promise<void>;
}

/** The gateway as it runs in production (default rate limit, 5 MiB body limit), on a fresh redis-server. */
export async function startFuzzTarget(options: { maxBodyBytes?: number } = {}): Promise<FuzzTarget> {
  const redisServer = await startRedis();
  const redis = createRedisConnection(redisServer.url, 'producer');
  redis.on('error', () => {});
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const producers: Producers = createProducers({ connection: redis });
  const config = fuzzConfig();
  const app = createGatewayApp({
    config: () => config, redis, producers, events: createEventPublisher({ redis, source: '/tidewater/gateway' }),
    logger: createLogger('gateway-fuzz', { level: 'silent' }), globalWebhookSecret: fuzzSecrets.global,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  await app.ready();
  return {
    app, redis, redisServer,
    legitimatePush() {
      const after = sha(`legitimate-${Date.now()}`);
      const body = JSON.stringify(githubPushPayload({ owner: 'fuzz', name: 'platform', ref: 'refs/heads/main', after, commits: [{ id: after, modified: ['a.yaml'] }] }));
      return { method: 'POST', url: '/webhooks/git/github', payload: body, remoteAddress: '192.0.2.250', headers: signedHeaders('github', body, fuzzSecrets.github, 'legitimate-delivery') };
    },
    async stop() {
      await app.close();
      await producers.close();
      await redis.quit().catch(() => redis.disconnect());
      await redisServer.stop();
    },
  };
}

// ---- arbitraries ----

/** Keys that break naive merges and lookups. */
const pollutionKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

const hostileKey = fc.oneof(fc.constantFrom(...pollutionKeys), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }));

/** Any JSON value, with prototype-pollution keys in its objects. */
const hostileJsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** A value of the wrong type or format for a field that must be a commit id, a ref or an object. */
const brokenFieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null), fc.integer(), fc.boolean(), fc.array(hostileJsonValue, { maxLength: 3 }),
  fc.dictionary(hostileKey, hostileJsonValue, { maxKeys: 3 }),
  fc.constantFrom('--upload-pack=touch /tmp/pwned', '-oProxyCommand=id', '../../etc/passwd', 'main', '', 'HEAD', 'refs/heads/main\nX: y'),
  fc.string({ unit: 'grapheme', maxLength: 50 }).filter((text) => !/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(text) && !/^refs\/\S+$/.test(text)),
);

/** A push to the configured repository, for the provider's route, exactly as the provider writes it. */
function wellFormedPush(provider: GitProvider): Record<string, unknown> {
  const after = sha('fuzz-push');
  const commits = [{ id: after, modified: ['a.yaml'] }];
  const [owner, name] = repositories[provider].fullName.split('/');
  switch (provider) {
    case 'github': return githubPushPayload({ owner, name, ref: 'refs/heads/main', after, commits });
    case 'gitea': return giteaPushPayload({ owner, name, ref: 'refs/heads/main', after, commits });
    case 'gitlab': return gitlabPushPayload({ pathWithNamespace: repositories.gitlab.fullName, ref: 'refs/heads/main', after, commits });
    case 'bitbucket': return bitbucketPushPayload(repositories.bitbucket.fullName, [{ type: 'branch', name: 'main', oldHash: sha('fuzz-old'), newHash: after }]);
  }
}

/** The fields whose corruption must make a push invalid, per provider (dotted paths; numbers index arrays). */
const requiredFields: Record<GitProvider, string[][]> = {
  github: [['ref'], ['after'], ['repository']],
  gitea: [['ref'], ['after'], ['repository']],
  gitlab: [['ref'], ['after']],
  bitbucket: [['push'], ['push', 'changes'], ['push', 'changes', '0', 'new', 'target', 'hash'], ['repository']],
};

/** A well-formed push with one required field broken (replaced or removed) and hostile keys sprinkled in. */
function corruptedPush(provider: GitProvider): fc.Arbitrary<string> {
  return fc.record({
    field: fc.constantFrom(...requiredFields[provider]),
    value: fc.option(brokenFieldValue, { nil: undefined }),
    extras: fc.dictionary(fc.constantFrom(...pollutionKeys), hostileJsonValue, { maxKeys: 3 }),
  }).map(({ field, value, extras }) => {
    const payload = wellFormedPush(provider);
    let parent: Record<string, unknown> = payload;
    for (const key of field.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    const last = field[field.length - 1];
    if (value === undefined) delete parent[last];
    else parent[last] = value;
    // Written as JSON text, so `__proto__` lands as an own key of the parsed object, as an attacker would send it.
    const extraText = Object.entries(extras).map(([key, extra]) => `${JSON.stringify(key)}:${JSON.stringify(extra) ?? 'null'}`).join(',');
    const text = JSON.stringify(payload);
    return extraText ? `{${extraText},${text.slice(1)}` : text;
  });
}

/** Body text of every kind: hostile JSON, random text and bytes, broken pushes, form bodies, nothing. */
function bodyArbitrary(provider: GitProvider): fc.Arbitrary<string | Buffer> {
  return fc.oneof(
    hostileJsonValue.map((value) => JSON.stringify(value) ?? 'null'),
    fc.json({ depthSize: 'small' }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    corruptedPush(provider),
    corruptedPush(provider).map((json) => `payload=${encodeURIComponent(json)}`),
    fc.constant(''),
    fc.constant('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
    fc.integer({ min: 1, max: 64 }).map((depth) => `${'['.repeat(depth * 100)}${']'.repeat(depth * 100)}`),
  );
}

type SignatureMode = 'none' | 'valid' | 'global' | 'wrong-secret' | 'garbage' | 'huge' | 'unicode' | 'other-provider';

/** The headers a provider signs with, for `body` under `secret`. */
export function signedHeaders(provider: GitProvider, body: string | Buffer, secret: string, deliveryId: string): Record<string, string> {
  const hex = createHmac('sha256', secret).update(body).digest('hex');
  switch (provider) {
    case 'github': return { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': deliveryId, 'x-hub-signature-256': `sha256=${hex}` };
    case 'gitea': return { 'content-type': 'application/json', 'x-gitea-event': 'push', 'x-gitea-delivery': deliveryId, 'x-gitea-signature': hex };
    case 'gitlab': return { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': deliveryId, 'x-gitlab-token': secret };
    case 'bitbucket': return { 'content-type': 'application/json', 'x-event-key': 'repo:push', 'x-request-uuid': deliveryId, 'x-hub-signature': `sha256=${hex}` };
  }
}

const signatureHeaderNames = ['x-hub-signature-256', 'x-gitea-signature', 'x-gitlab-token', 'x-hub-signature'];

function signatureHeaders(mode: SignatureMode, provider: GitProvider, body: string | Buffer, deliveryId: string, noise: string): Record<string, string> {
  const signed = (secret: string) => signedHeaders(provider, body, secret, deliveryId);
  const unsigned = Object.fromEntries(Object.entries(signed('x')).filter(([name]) => !signatureHeaderNames.includes(name)));
  switch (mode) {
    case 'none': return unsigned;
    case 'valid': return signed(fuzzSecrets[provider]);
    case 'global': return signed(fuzzSecrets.global);
    case 'wrong-secret': return signed(`not-${fuzzSecrets[provider]}`);
    case 'other-provider': return signed(fuzzSecrets[provider === 'github' ? 'gitlab' : 'github']);
    case 'garbage': return Object.fromEntries(signatureHeaderNames.map((name) => [name, noise]).concat(Object.entries(unsigned)));
    case 'huge': return Object.fromEntries(signatureHeaderNames.map((name) => [name, `sha256=${'a'.repeat(100_000)}${noise}`]).concat(Object.entries(unsigned)));
    case 'unicode': return Object.fromEntries(signatureHeaderNames.map((name) => [name, `sha256=ｆｆ${noise}💥`]).concat(Object.entries(unsigned)));
  }
}

const contentTypes = [
  'application/json', 'application/json; charset=utf-8', 'application/vnd.github+json', 'application/x-www-form-urlencoded',
  'text/plain', 'application/xml', 'multipart/form-data; boundary=x', '', 'application/json\u0000', 'APPLICATION/JSON',
];

const headerName = fc.string({ minLength: 1, maxLength: 20 }).map((name) => name.toLowerCase().replace(/[^a-z0-9-]/g, 'x'));
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer({ min: 1, max: 200 }).map((kilobytes) => 'h'.repeat(kilobytes * 1_024)),
);

/** One webhook request: any provider route, body, content type, signature and extra headers, from many addresses. */
export const webhookRequest: fc.Arbitrary<InjectOptions> = fc.constantFrom(...gitProviders).chain((provider) => fc.record({
  body: bodyArbitrary(provider),
  mode: fc.constantFrom<SignatureMode>('none', 'valid', 'valid', 'valid', 'global', 'wrong-secret', 'garbage', 'huge', 'unicode', 'other-provider'),
  // Mostly the provider's own content type; one request in four gets another (or a random) one.
  contentType: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: fc.oneof(fc.constantFrom(...contentTypes), fc.string({ maxLength: 30 })), weight: 1 },
  ),
  deliveryId: fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 20 })),
  event: fc.option(fc.oneof(fc.constantFrom('push', 'ping', 'Push Hook', 'Tag Push Hook', 'repo:push', 'diagnostics:ping', 'pull_request'), fc.string({ maxLength: 80 })), { nil: undefined }),
  noise: fc.string({ maxLength: 80 }),
  extraHeaders: fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
  address: fc.integer({ min: 1, max: 60 }).map((host) => `198.51.100.${host}`),
}).map(({ body, mode, contentType, deliveryId, event, noise, extraHeaders, address }) => {
  const headers: Record<string, string> = { ...extraHeaders, ...signatureHeaders(mode, provider, body, deliveryId, noise) };
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (event !== undefined) {
    for (const name of ['x-github-event', 'x-gitea-event', 'x-gitlab-event', 'x-event-key']) if (name in headers) headers[name] = event;
  }
  return { method: 'POST' as const, url: `/webhooks/git/${provider}`, headers, payload: body, remoteAddress: address };
}));

// ---- what escaped ----

export interface Escapes {
  /** Jobs in any Tidewater queue (waiting, active, delayed, completed, failed, …). */
  jobs: number;
  /** Entries of the events stream. */
  events: number;
  /** BullMQ keys other than a queue's `meta` (which opening a queue writes): a queued job leaves several. */
  queueKeys: string[];
}

/** Counts what reached Redis: jobs in every queue, keys under `bull:`, and the events stream's length. */
export async function escapes(redis: Redis): Promise<Escapes> {
  let jobs = 0;
  for (const name of Object.values(queueNames)) {
    const queue = new Queue(name, { connection: redis });
    const counts = await queue.getJobCounts();
    jobs += Object.values(counts).reduce((sum, count) => sum + count, 0);
    await queue.close();
  }
  const queueKeys: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'bull:*', 'COUNT', 1_000);
    queueKeys.push(...keys.filter((key) => !key.endsWith(':meta')));
    cursor = next;
  } while (cursor !== '0');
  return { jobs, events: await redis.xlen(eventsStreamKey), queueKeys };
}

/** Keys an object literal would show if a payload had polluted `Object.prototype`. */
export function prototypePollution(): string[] {
  const probe: Record<string, unknown> = {};
  const polluted: string[] = [];
  for (const key in probe) polluted.push(key);
  if ((probe as { polluted?: unknown }).polluted !== undefined) polluted.push('polluted');
  return polluted;
}

export interface FuzzTally {
  requests: number;
  /** Requests light-my-request itself refused to build (never reached the gateway). */
  unsendable: number;
  byStatus: Record<number, number>;
  serverErrors: Array<{ status: number; url: string; body: string }>;
  /** 2xx answers that said something was queued. */
  queuedAnswers: number;
}

export function newTally(): FuzzTally {
  return { requests: 0, unsendable: 0, byStatus: {}, serverErrors: [], queuedAnswers: 0 };
}

/** Sends one request and records its answer; true when the gateway answered without a 5xx and queued nothing. */
export async function sendAndCheck(app: FastifyInstance, request: InjectOptions, tally: FuzzTally): Promise<boolean> {
  tally.requests += 1;
  let response;
  try {
    response = await app.inject(request);
  } catch (error) {
    // light-my-request validates what it can build (e.g. a header value it cannot encode): not a gateway answer.
    if (error instanceof TypeError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_')) {
      tally.unsendable += 1;
      return true;
    }
    throw error;
  }
  tally.byStatus[response.statusCode] = (tally.byStatus[response.statusCode] ?? 0) + 1;
  if (response.statusCode >= 500) {
    tally.serverErrors.push({ status: response.statusCode, url: request.url as string, body: response.body.slice(0, 300) });
    return false;
  }
  if (response.statusCode < 300) {
    const answer = response.json() as { queued?: unknown[] };
    if ((answer.queued?.length ?? 0) > 0) {
      tally.queuedAnswers += 1;
      return false;
    }
  }
  return true;
}
