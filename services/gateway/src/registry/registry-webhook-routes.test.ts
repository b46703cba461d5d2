import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, readAllEvents } from '@tidewater/events';
import { createProducers, createRedisConnection, ImageJob, queueNames } from '@tidewater/queues';
import { createLogger, getMetrics } from '@tidewater/telemetry';
import { startRedis, startRegistry, waitFor, type RedisInstance, type TestRegistry } from '../../../../test/harness/src/index.ts';
import { createGatewayApp } from '../app.ts';
import { startGateway, type RunningGateway } from '../start-gateway.ts';
import { registryReceiverToken } from './registry-auth.ts';

const secret = 'registry-webhook-secret-for-tests';
const digest = (n: string) => `sha256:${n.repeat(64).slice(0, 64)}`;

function application(name: string, annotations: Record<string, string>): string {
  return [
    'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata:`, `  name: ${name}`, '  annotations:',
    ...Object.entries(annotations).map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`),
    'spec:', '  project: default',
    '  source: {repoURL: "https://github.com/acme/platform.git", targetRevision: main, path: apps/web}',
    `  destination: {server: "https://kubernetes.default.svc", namespace: ${name}}`, '',
  ].join('\n');
}
const watch = (image: string) => ({ 'argocd-image-updater.argoproj.io/image-list': `app=${image}`, 'argocd-image-updater.argoproj.io/write-back-target': 'kustomization' });

function configFor(images: Record<string, string>): TidewaterConfig {
  const { config, errors } = buildConfig(Object.entries(images).map(([app, image]) => ({ file: `${app}.yaml`, text: application(app, watch(image)) })));
  expect(errors).toEqual([]);
  return config;
}

/** Refusals counted for one receiver, over every reason. */
async function rejectedCount(provider: string): Promise<number> {
  const { values } = await getMetrics().webhookRejections.get();
  return values.filter((value) => value.labels.provider === provider).reduce((sum, value) => sum + value.value, 0);
}

describe('registry webhooks', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let app: FastifyInstance;
  let imageQueue: Queue;
  let config: TidewaterConfig;

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = createRedisConnection(redisServer.url, 'producer');
    await waitFor('redis ready', async () => redis.status === 'ready');
    config = configFor({
      web: 'ghcr.io/acme/web', harbor: 'harbor.example.com/library/api', quay: 'quay.io/acme/quay-app', acr: 'acme.azurecr.io/shop/cart',
      gar: 'us-east1-docker.pkg.dev/acme/images/worker', hub: 'acme/hub-app', generic: 'registry.example.com/team/generic',
      cdevents: 'registry.example.com/team/cd', 'web-also': 'ghcr.io/acme/web',
    });
    app = createGatewayApp({
      config: () => config, redis, producers: createProducers({ connection: redis }),
      events: createEventPublisher({ redis, source: '/test' }), logger: createLogger('test', { level: 'silent' }),
      registryWebhookSecrets: [secret], metrics: false,
    });
    await app.ready();
    imageQueue = new Queue(queueNames.image, { connection: redis });
  });
  afterAll(async () => {
    await imageQueue?.close();
    await app?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  const jobsFor = async (jobIds: string[]) => Promise.all(jobIds.map(async (id) => ImageJob.parse((await imageQueue.getJob(id))?.data)));
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) => app.inject({
    method: 'POST', url, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers },
  });
  const hmac = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const bearer = (receiver: Parameters<typeof registryReceiverToken>[1]) => ({ authorization: `Bearer ${registryReceiverToken(secret, receiver)}` });

  it('queues one image job per policy watching the pushed repository (generic HMAC)', async () => {
    const body = JSON.stringify({ image: 'ghcr.io/acme/web', tag: 'v1.2.0', digest: digest('a') });
    const response = await post('/webhooks/registry/generic', body, { 'x-signature': hmac(body) });
    expect(response.statusCode).toBe(202);
    const { queued, apps } = response.json() as { queued: string[]; apps: string[] };
    expect(apps.sort()).toEqual(['web', 'web-also']);
    const jobs = await jobsFor(queued);
    expect(jobs.map((job) => [job.policy, job.image, job.tag, job.digest])).toEqual(expect.arrayContaining([
      ['argocd:web:app', 'ghcr.io/acme/web', 'v1.2.0', digest('a')], ['argocd:web-also:app', 'ghcr.io/acme/web', 'v1.2.0', digest('a')],
    ]));
    // The same content again (a registry redelivering, or a re-push of the tag) is a duplicate.
    const again = await post('/webhooks/registry/generic', body, { 'x-signature': hmac(body) });
    expect(again.json()).toMatchObject({ duplicate: true, queued: [] });
  });

  it('refuses unsigned, mis-signed and wrong-token requests with 401, queues nothing and writes no event', async () => {
    const before = await imageQueue.getJobCounts('waiting', 'delayed', 'active');
    const eventsBefore = (await readAllEvents(redis)).length;
    const body = JSON.stringify({ image: 'ghcr.io/acme/web', tag: 'v9.9.9', digest: digest('f') });
    const attacks = [
      await post('/webhooks/registry/generic', body),
      await post('/webhooks/registry/generic', body, { 'x-signature': hmac(body).replace(/.$/, (c) => (c === '0' ? '1' : '0')) }),
      await post('/webhooks/registry/generic', body, { 'x-signature': `sha256=${createHmac('sha256', 'guess').update(body).digest('hex')}` }),
      await post('/webhooks/registry/distribution', { events: [] }),
      await post('/webhooks/registry/distribution', { events: [] }, { authorization: `Bearer ${secret}` }),
      // A token for another receiver does not open this one.
      await post('/webhooks/registry/distribution', { events: [] }, bearer('harbor')),
      await post(`/webhooks/registry/quay/${'0'.repeat(64)}`, { repository: 'acme/quay-app', docker_url: 'quay.io/acme/quay-app', updated_tags: ['v2'] }),
      await post(`/webhooks/registry/dockerhub/${registryReceiverToken(secret, 'quay')}`, { push_data: { tag: 'v2' }, repository: { repo_name: 'acme/hub-app' } }),
    ];
    expect(attacks.map((response) => response.statusCode)).toEqual(Array(attacks.length).fill(401));
    expect(await imageQueue.getJobCounts('waiting', 'delayed', 'active')).toEqual(before);
    expect((await readAllEvents(redis)).length).toBe(eventsBefore);
    expect(await rejectedCount('registry-generic')).toBeGreaterThanOrEqual(3);
  });

  it('accepts each registry\'s documented payload as that registry authenticates it', async () => {
    const github = JSON.stringify({
      action: 'published',
      registry_package: { name: 'web', namespace: 'acme', package_type: 'CONTAINER', owner: { login: 'acme' },
        package_version: { version: digest('b'), container_metadata: { tag: { name: 'v1.3.0', digest: digest('b') } } } },
      sender: { login: 'octocat' },
    });
    const githubSignature = `sha256=${createHmac('sha256', secret).update(github).digest('hex')}`;
    const cases: Array<[string, string, Record<string, string>, string, string]> = [
      ['/webhooks/registry/github', github, { 'x-github-event': 'registry_package', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': githubSignature }, 'web', 'v1.3.0'],
      ['/webhooks/registry/harbor', JSON.stringify({
        type: 'PUSH_ARTIFACT', occur_at: 1_700_000_000, operator: 'admin',
        event_data: { resources: [{ digest: digest('c'), tag: 'v2.0.0', resource_url: 'harbor.example.com/library/api:v2.0.0' }],
          repository: { name: 'api', namespace: 'library', repo_full_name: 'library/api', repo_type: 'private' } },
      }), bearer('harbor'), 'harbor', 'v2.0.0'],
      [`/webhooks/registry/quay/${registryReceiverToken(secret, 'quay')}`, JSON.stringify({
        repository: 'acme/quay-app', namespace: 'acme', name: 'quay-app', docker_url: 'quay.io/acme/quay-app', homepage: 'https://quay.io/repository/acme/quay-app', updated_tags: ['v3.1.0'],
      }), {}, 'quay', 'v3.1.0'],
      ['/webhooks/registry/acr', JSON.stringify({
        id: randomUUID(), timestamp: '2026-11-22T03:21:51Z', action: 'push',
        target: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 524, digest: digest('d'), length: 524, repository: 'shop/cart', tag: 'v1.0.1' },
        request: { id: randomUUID(), host: 'acme.azurecr.io', method: 'PUT', useragent: 'docker/24' },
      }), bearer('acr'), 'acr', 'v1.0.1'],
      [`/webhooks/registry/gar/${registryReceiverToken(secret, 'gar')}`, JSON.stringify({
        message: {
          data: Buffer.from(JSON.stringify({ action: 'INSERT', digest: `us-east1-docker.pkg.dev/acme/images/worker@${digest('e')}`, tag: 'us-east1-docker.pkg.dev/acme/images/worker:1.1' })).toString('base64'),
          messageId: '2070443601311540', publishTime: '2026-11-22T03:21:51Z',
        },
        subscription: 'projects/acme/subscriptions/tidewater',
      }), {}, 'gar', '1.1'],
      [`/webhooks/registry/dockerhub/${registryReceiverToken(secret, 'dockerhub')}`, JSON.stringify({
        callback_url: 'https://registry.hub.docker.com/u/acme/hub-app/hook/x/', push_data: { pushed_at: 1_700_000_000, pusher: 'acme', tag: 'v4.0.0' },
        repository: { repo_name: 'acme/hub-app', namespace: 'acme', name: 'hub-app', is_private: false },
      }), {}, 'hub', 'v4.0.0'],
      ['/webhooks/registry/cloudevents', JSON.stringify({
        specversion: '1.0', id: randomUUID(), source: '/cd', type: 'dev.cdevents.artifact.published.0.2.0',
        data: { subject: { id: `pkg:oci/cd@${digest('9')}?repository_url=registry.example.com/team/cd&tag=v5.0.0` } },
      }), {}, 'cdevents', 'v5.0.0'],
    ];
    for (const [url, body, headers, appName, tag] of cases) {
      const signed = url.endsWith('cloudevents') ? { ...headers, 'x-signature': hmac(body), 'content-type': 'application/cloudevents+json' } : headers;
      const response = await post(url, body, signed);
      expect({ url: url.split('/')[3], status: response.statusCode }).toEqual({ url: url.split('/')[3], status: 202 });
      const { queued } = response.json() as { queued: string[] };
      const jobs = await jobsFor(queued);
      expect(jobs.map((job) => [job.app, job.tag])).toContainEqual([appName, tag]);
    }
  });

  it('ignores pushes no policy watches, pulls and untagged pushes', async () => {
    const body = JSON.stringify({ image: 'ghcr.io/acme/unknown', tag: 'v1' });
    expect((await post('/webhooks/registry/generic', body, { 'x-signature': hmac(body) })).json()).toMatchObject({ ignored: true, queued: [] });
    const pull = await post('/webhooks/registry/distribution', { events: [{
      id: randomUUID(), action: 'pull', target: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', repository: 'x', tag: 'v1', digest: digest('1') }, request: { host: 'r:5000' },
    }] }, bearer('distribution'));
    expect(pull.json()).toMatchObject({ ignored: true, queued: [] });
  });

  it('shares the webhook rate limit: a flood from one address is answered 429 before any proof is checked', async () => {
    const limited = createGatewayApp({
      config: () => config, redis, producers: createProducers({ connection: redis }),
      events: createEventPublisher({ redis, source: '/test' }), logger: createLogger('test', { level: 'silent' }),
      registryWebhookSecrets: [secret], metrics: false, rateLimit: { max: 2, timeWindowMs: 60_000 },
    });
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        statuses.push((await limited.inject({ method: 'POST', url: '/webhooks/registry/generic', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode);
      }
      expect(statuses).toEqual([401, 401, 429, 429]);
      expect(await rejectedCount('registry-generic')).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  describe('the real docker-registry notifying a listening gateway', () => {
    let registry: TestRegistry;
    let gateway: RunningGateway;
    let watched: TidewaterConfig;

    beforeAll(async () => {
      gateway = await startGateway({
        config: () => watched, redis, port: 0, logger: createLogger('test', { level: 'silent' }), registryWebhookSecrets: [secret],
      });
      registry = await startRegistry({
        notifyUrl: `${gateway.url}/webhooks/registry/distribution`, notifyHeaders: { Authorization: `Bearer ${registryReceiverToken(secret, 'distribution')}` },
      });
      watched = configFor({ guestbook: `${registry.host}/team/guestbook` });
    });
    afterAll(async () => {
      await registry?.stop();
      await gateway?.close();
    });

    it('a pushed tag becomes one image job carrying the tag and digest', async () => {
      const pushed = await registry.pushImage('team/guestbook', 'v1.0.0');
      const jobId = `image:argocd.guestbook.app:${pushed.digest.replace('sha256:', '')}`;
      await waitFor('image job from the registry notification', async () => (await imageQueue.getJob(jobId)) !== undefined, { timeoutMs: 20_000 });
      expect(ImageJob.parse((await imageQueue.getJob(jobId))?.data)).toMatchObject({
        policy: 'argocd:guestbook:app', app: 'guestbook', image: `${registry.host}/team/guestbook`, tag: 'v1.0.0', digest: pushed.digest,
        source: { provider: 'registry-distribution' },
      });
    });

    it('a registry configured with the wrong header queues nothing', async () => {
      const forged = await startRegistry({ notifyUrl: `${gateway.url}/webhooks/registry/distribution`, notifyHeaders: { Authorization: `Bearer ${'0'.repeat(64)}` } });
      try {
        watched = configFor({ guestbook: `${registry.host}/team/guestbook`, forged: `${forged.host}/team/forged` });
        const rejectedBefore = await rejectedCount('registry-distribution');
        await forged.pushImage('team/forged', 'v1.0.0');
        await waitFor('the forged notification refused', async () =>
          (await rejectedCount('registry-distribution')) > rejectedBefore, { timeoutMs: 20_000 });
        const ids = (await imageQueue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).map((job) => job.id ?? '');
        expect(ids.filter((id) => id.includes('forged'))).toEqual([]);
      } finally {
        await forged.stop();
      }
    });
  });
});
