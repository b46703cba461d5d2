import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents, type EventPublisher } from '@tidewater/events';
import { startRedis, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { createNotifier } from '../notifier.ts';
import { startSlackSink, type SlackSink } from '../test-support/slack-sink.ts';

const commit1 = 'd4e5f60718293a4b5c6d7e8f9012345678a1b2c3';
const commit2 = 'e5f60718293a4b5c6d7e8f9012345678a1b2c3d4';
const botToken = 'xoxb-image-token-456';

// An Image Updater user's Application: annotations subscribe it to the image triggers on a Slack bot channel.
const shopApplication = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  annotations:
    notifications.argoproj.io/subscribe.on-image-updated.slack: deployments
    notifications.argoproj.io/subscribe.on-image-update-failed.slack: deployments
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

describe('image triggers through the notifier', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let sink: SlackSink;
  let promoter: EventPublisher;
  let config: TidewaterConfig;

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    sink = await startSlackSink();
    promoter = createEventPublisher({ redis, source: '/tidewater/promoter' });
    const built = buildConfig([{ file: 'test.yaml', text: `${shopApplication}
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata:
  name: slack-bot
spec:
  type: slack
  tokenRef: {env: TIDEWATER_SECRET_SLACK_TOKEN}
  channel: general
  apiUrl: ${sink.url}/api
` }]);
    expect(built.errors.map((error) => error.message)).toEqual([]);
    config = built.config;
  });
  afterAll(async () => {
    await sink?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
    sink.requests.length = 0;
  });

  function startNotifier() {
    return createNotifier({
      config: () => config,
      redis,
      logger: pino({ level: 'silent' }),
      events: createEventPublisher({ redis, source: '/tidewater/notifier' }),
      consumerName: 'test',
      env: { TIDEWATER_SECRET_SLACK_TOKEN: botToken },
      delivery: { baseDelayMs: 10 },
    });
  }

  const updated = (commit: string, oldTag: string, newTag: string) => promoter.publish({
    type: eventTypes.imageUpdated,
    data: {
      app: 'shop', policy: 'argocd:shop:web', image: 'registry.example.com/acme/shop', oldTag, newTag,
      commit, revision: commit, repo: 'https://git.example.com/acme/shop.git', branch: 'main', file: 'deploy/kustomization.yaml',
    },
  });

  it('sends one Slack message naming the app, image, old → new tag and the commit, once per commit', async () => {
    const notifier = startNotifier();
    try {
      await updated(commit1, '1.0.0', '1.1.0');
      await updated(commit1, '1.0.0', '1.1.0'); // the same commit reported twice
      await promoter.publish({ type: eventTypes.imageUpdated, data: { app: 'other', policy: 'p', image: 'x/y', newTag: '2', commit: commit1, revision: commit1, repo: 'r', branch: 'main', file: 'f' } });
      await notifier.drainOnce();
      const posts = sink.to('/api/chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(posts[0].headers.authorization).toBe(`Bearer ${botToken}`);
      const body = JSON.parse(posts[0].body) as { channel: string; text: string; blocks: unknown[] };
      expect(body.channel).toBe('deployments');
      expect(body.text).toContain('Application *shop* has a new image');
      expect(body.text).toContain(`<https://git.example.com/acme/shop/commit/${commit1}|d4e5f60>`);
      expect(body.text).toContain('Image: registry.example.com/acme/shop');
      expect(body.text).toContain('Tag: 1.0.0 → 1.1.0');
      expect(body.text).toContain('Commit: d4e5f60');
      expect(JSON.stringify(body.blocks)).toContain('*Tag*\\n1.0.0 → 1.1.0');

      await updated(commit2, '1.1.0', '1.2.0');
      await notifier.drainOnce();
      expect(sink.to('/api/chat.postMessage')).toHaveLength(2);
      expect(JSON.parse(sink.to('/api/chat.postMessage')[1].body).text).toContain('Tag: 1.1.0 → 1.2.0');
      const sent = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.notificationSent);
      expect(sent.map((event) => [event.data.trigger, event.data.revision])).toEqual([['on-image-updated', commit1], ['on-image-updated', commit2]]);
    } finally {
      await notifier.stop();
    }
  });

  it('sends the reason of a failed image update', async () => {
    const notifier = startNotifier();
    try {
      await promoter.publish({
        type: eventTypes.imageUpdateFailed,
        data: { app: 'shop', policy: 'argocd:shop:web', image: 'registry.example.com/acme/shop', tag: '1.3.0', reason: 'push to main rejected: deploy/kustomization.yaml conflicts' },
      });
      await notifier.drainOnce();
      const posts = sink.to('/api/chat.postMessage');
      expect(posts).toHaveLength(1);
      const body = JSON.parse(posts[0].body) as { text: string };
      expect(body.text).toContain('Application *shop* failed to update its image');
      expect(body.text).toContain('Image: registry.example.com/acme/shop');
      expect(body.text).toContain('Tag: 1.3.0');
      expect(body.text).toContain('Reason: push to main rejected: deploy/kustomization.yaml conflicts');
    } finally {
      await notifier.stop();
    }
  });
});
