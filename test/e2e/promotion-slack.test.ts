import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { slackSignature } from '@tidewater/api';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createNotifier } from '@tidewater/notifier';
import { pipelineKeys, type StoredApprovalRequest, type StoredFreight } from '@tidewater/queues';
import { startSlackSink, type SlackSink } from '../../services/notifier/src/test-support/slack-sink.ts';
import { apiTestConfigYaml, startApiFixture, type ApiFixture } from './api-fixture.ts';

// Slack's interactive approval, through the real paths: the notifier posts the promotion request with Approve / Reject
// buttons to a Slack stand-in, and the button's press is POSTed to the api signed as Slack signs it. Forged, replayed
// and unmapped requests are refused.

const signingSecret = randomBytes(16).toString('hex');
const freight: StoredFreight = {
  id: 'f'.repeat(64), alias: 'brave-otter-ffff', pipeline: 'shop', createdAt: new Date().toISOString(), source: 'app',
  images: [{ repoURL: 'registry.test/shop', tag: '2.0.0' }], commits: [], charts: [],
};

const yaml = `${apiTestConfigYaml}---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop-dev
  annotations:
    argocd-image-updater.argoproj.io/image-list: app=registry.test/shop
    argocd-image-updater.argoproj.io/write-back-target: kustomization
spec:
  project: web
  source: {repoURL: 'https://git.example.com/org/gitops.git', path: shop/dev, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop-dev}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop-prod}
spec:
  project: web
  source: {repoURL: 'https://git.example.com/org/gitops.git', path: shop/prod, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop-prod}
---
apiVersion: tidewater.dev/v1alpha1
kind: Pipeline
metadata: {name: shop}
spec:
  sources: [{name: app, imagePolicy: 'argocd:shop-dev:app'}]
  stages:
  - {name: dev, applications: [shop-dev], freightFrom: {sources: [app]}, autoPromote: true}
  - {name: production, applications: [shop-prod], freightFrom: {stages: [dev]}, autoPromote: true, approval: {required: 1}}
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: releases}
spec:
  type: slack
  tokenRef: {env: TIDEWATER_SECRET_SLACK_TOKEN}
  channel: releases
  apiUrl: SINK/api
  subscriptions:
  - {trigger: on-promotion-requested, apps: ['shop-*']}
`;

describe('Slack Approve / Reject of a promotion (notifier → Slack stand-in → signed interaction → api)', () => {
  let fixture: ApiFixture;
  let sink: SlackSink;
  let config: TidewaterConfig;
  let redis: Redis;

  const interact = (body: string, headers: Record<string, string>) => fixture.app.inject({
    method: 'POST', url: '/api/v1/slack/interactions', payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  const signed = (body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
    'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(signingSecret, String(timestamp), body),
  });
  const pressed = (slackUser: string, actionId: string, value: string) => `payload=${encodeURIComponent(JSON.stringify({
    type: 'block_actions', user: { id: slackUser, username: slackUser.toLowerCase() }, actions: [{ action_id: actionId, value }],
  }))}`;

  beforeAll(async () => {
    sink = await startSlackSink();
    const built = buildConfig([{ file: 'shop.yaml', text: yaml.replace('SINK', sink.url) }]);
    expect(built.errors.map((error) => error.message)).toEqual([]);
    config = built.config;
    fixture = await startApiFixture({ config: () => config, deps: { slack: { signingSecret, users: { U0ERIN: 'erin', U0VIC: 'vic' } } } });
    redis = new Redis(fixture.redisServer.url, { maxRetriesPerRequest: null });
    // What the promoter recorded: the freight, and production's approval request for it.
    await redis.set(pipelineKeys.freight('shop', freight.id), JSON.stringify(freight));
    await redis.zadd(pipelineKeys.freightIndex('shop'), Date.now(), freight.id);
    const request: StoredApprovalRequest = { freight: freight.id, requestedBy: 'tidewater-promoter', requestedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), state: 'pending' };
    await redis.hset(pipelineKeys.approvalRequests('shop', 'production'), freight.id, JSON.stringify(request));
  });
  afterAll(async () => {
    redis?.disconnect();
    await fixture?.close();
    await sink?.close();
  });

  let buttonValue: string;

  it('the notifier posts the approval request with Approve and Reject buttons', async () => {
    const notifier = createNotifier({
      config: () => config, redis, logger: pino({ level: 'silent' }), events: createEventPublisher({ redis, source: '/tidewater/notifier' }),
      consumerName: 'test', env: { TIDEWATER_SECRET_SLACK_TOKEN: 'xoxb-test' }, delivery: { baseDelayMs: 10 },
    });
    try {
      await createEventPublisher({ redis, source: '/tidewater/promoter' }).publish({
        type: eventTypes.promotionRequested, subject: 'shop/production',
        data: { pipeline: 'shop', stage: 'production', app: 'shop-prod', freight: freight.id, alias: freight.alias, actor: 'tidewater-promoter', approvalRequired: true, images: 'registry.test/shop:2.0.0' },
      });
      await notifier.drainOnce();
      const posts = sink.to('/api/chat.postMessage');
      expect(posts).toHaveLength(1);
      const body = JSON.parse(posts[0].body) as { channel: string; text: string; blocks: Array<{ type: string; elements?: Array<{ action_id: string; value: string; style?: string }> }> };
      expect(body.channel).toBe('releases');
      expect(body.text).toContain('Application *shop-prod* waits for approval of a promotion');
      expect(body.text).toContain('Freight: brave-otter-ffff');
      const actions = body.blocks.find((block) => block.type === 'actions')!;
      expect(actions.elements!.map((element) => [element.action_id, element.style])).toEqual([['tidewater-approve', 'primary'], ['tidewater-reject', 'danger']]);
      buttonValue = actions.elements![0].value;
      expect(JSON.parse(buttonValue)).toEqual({ pipeline: 'shop', stage: 'production', freight: freight.id });
    } finally {
      await notifier.stop();
    }
  });

  it('refuses a forged signature, a replayed (old) timestamp and unsigned requests with 401, before reading the payload', async () => {
    const body = pressed('U0ERIN', 'tidewater-approve', buttonValue);
    expect((await interact(body, { ...signed(body), 'x-slack-signature': slackSignature('not-the-secret', String(Math.floor(Date.now() / 1000)), body) })).statusCode).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const replayed = await interact(body, signed(body, old));
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().message).toContain('5-minute window');
    expect((await interact(body, {})).statusCode).toBe(401);
    // The body changed after signing (a forged value): the signature no longer matches.
    const tampered = pressed('U0ERIN', 'tidewater-approve', JSON.stringify({ pipeline: 'shop', stage: 'production', freight: 'e'.repeat(64) }));
    expect((await interact(tampered, signed(body))).statusCode).toBe(401);
    expect((await readAllEvents(redis)).filter((event) => event.type === eventTypes.promotionApproved)).toEqual([]);
  });

  it('an unmapped Slack user and a mapped user without the approver role are told no, and audited', async () => {
    const unmapped = pressed('U0NOBODY', 'tidewater-approve', buttonValue);
    const answer = await interact(unmapped, signed(unmapped));
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ response_type: 'ephemeral' });
    const viewer = pressed('U0VIC', 'tidewater-approve', buttonValue);
    const refused = await interact(viewer, signed(viewer));
    expect(refused.json().text).toContain('permission denied: approvals, approve, shop/production');
    const denied = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.promotionApprovalDenied);
    expect(denied.map((event) => event.data.actor)).toEqual(['slack:U0NOBODY', 'vic']);
  });

  it('a signed Approve from a mapped approver approves as that account', async () => {
    const body = pressed('U0ERIN', 'tidewater-approve', buttonValue);
    const answer = await interact(body, signed(body));
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ response_type: 'in_channel', text: ':white_check_mark: erin approved brave-otter-ffff for production (1/1)' });
    const approved = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.promotionApproved);
    expect(approved.map((event) => event.data)).toMatchObject([{ pipeline: 'shop', stage: 'production', freight: freight.id, actor: 'erin', via: 'slack' }]);
    expect(await redis.hget(pipelineKeys.approvalDecisions('shop', 'production'), `${freight.id}\nerin`)).toContain('"decision":"approve"');
  });

  it('answers 404 when Slack interactions are not configured', async () => {
    const bare = await startApiFixture({ config: () => config });
    try {
      const body = pressed('U0ERIN', 'tidewater-approve', buttonValue);
      expect((await bare.app.inject({ method: 'POST', url: '/api/v1/slack/interactions', payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed(body) } })).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
