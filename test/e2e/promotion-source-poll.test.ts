import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { listFreightIds, readFreight } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { createPromoter, type Promoter } from '../../services/promoter/src/promoter.ts';
import { makeWorkDir, startRedis, startRegistry, waitFor, type RedisInstance, type TestRegistry } from '../harness/src/index.ts';

// A registry that sends no notifications: the promoter's poller finds a pipeline `image:` source's newest qualifying tag
// through the source's derived image policy, and that tag (with its digest) becomes the pipeline's freight.
describe('a pipeline image: source makes freight from a registry poll', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let registry: TestRegistry;
  let promoter: Promoter;
  let config: TidewaterConfig;
  const work = makeWorkDir('promotion-source-poll');

  beforeAll(async () => {
    [redisServer, registry] = await Promise.all([startRedis(), startRegistry()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    const built = buildConfig([{ file: 'shop.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop-dev}
spec:
  project: default
  source: {repoURL: 'https://git.example.com/org/shop.git', path: env/dev, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop}
---
apiVersion: tidewater.dev/v1alpha1
kind: Pipeline
metadata: {name: shop}
spec:
  sources:
  - {name: app, image: {repoURL: '${registry.host}/org/shop', strategy: semver, constraint: ^1.0.0, ignoreTags: ['*-rc*']}}
  stages:
  - {name: dev, applications: [shop-dev], freightFrom: {sources: [app]}}
` }]);
    expect(built.errors.map((error) => error.message)).toEqual([]);
    config = built.config;
    promoter = createPromoter({
      config: () => config, redis, logger: createLogger('test', { level: 'silent' }), cacheDir: join(work.dir, 'cache'),
      events: createEventPublisher({ redis, source: '/tidewater/promoter' }), concurrency: 1, pollIntervalMs: 0,
      pipelines: { resyncIntervalMs: 0 },
    });
  }, 120_000);
  afterAll(async () => {
    await promoter?.close();
    redis?.disconnect();
    await Promise.all([registry?.stop(), redisServer?.stop()]);
    work.remove();
  });

  const freightTags = async () => {
    const { ids } = await listFreightIds(redis, 'shop', { limit: 10 });
    return Promise.all(ids.map(async (id) => (await readFreight(redis, 'shop', id))?.images.map((image) => `${image.repoURL}:${image.tag}@${image.digest ?? ''}`)[0]));
  };

  it('polls the newest tag the source allows and records it as freight; a poll with nothing newer adds none', async () => {
    const [, pushed] = await Promise.all([registry.pushImage('org/shop', '1.1.0'), registry.pushImage('org/shop', '1.2.0'), registry.pushImage('org/shop', '1.3.0-rc1'), registry.pushImage('org/shop', '2.0.0')]);
    expect((await promoter.poller.pollOnce()).queued).toBe(1);
    await waitFor('freight from the poll', async () => ((await freightTags()).length > 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 100 });
    expect(await freightTags()).toEqual([`${registry.host}/org/shop:1.2.0@${pushed.digest}`]);

    expect((await promoter.poller.pollOnce()).queued).toBe(0);
    await registry.pushImage('org/shop', '1.4.0');
    expect((await promoter.poller.pollOnce()).queued).toBe(1);
    await waitFor('freight of 1.4.0', async () => ((await freightTags()).length === 2 ? true : undefined), { timeoutMs: 60_000, intervalMs: 100 });
    expect((await freightTags())[0]).toContain(':1.4.0@');
  });
});
