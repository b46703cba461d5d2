import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { buildConfig } from '@tidewater/config';
import { queueNames } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startRedis, type RedisInstance } from '../../../test/harness/src/index.ts';
import { githubHeaders, githubPushPayload, sha } from './providers/fixtures/push-payloads.ts';
import { startGateway, type RunningGateway } from './start-gateway.ts';

const secret = 'start-gateway-global-secret';
const config = buildConfig([{
  file: 'apps.yaml',
  text: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source: {repoURL: 'https://github.com/acme/platform.git', path: apps/web}
  destination: {server: https://kubernetes.default.svc, namespace: web}
`,
}]).config;

let redisServer: RedisInstance;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  redisServer = await startRedis();
});

afterAll(async () => {
  await gateway?.close();
  await redisServer?.stop();
});

describe('startGateway', () => {
  it('listens on a real port, accepts a push signed with the global secret, and closes cleanly', async () => {
    gateway = await startGateway({
      config: () => config, redisUrl: redisServer.url, port: 0, host: '127.0.0.1',
      logger: createLogger('gateway-test', { level: 'silent' }), globalWebhookSecret: secret,
    });
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);

    const after = sha('start-gateway');
    const body = JSON.stringify(githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/heads/main', after, commits: [{ id: after, added: ['apps/web/a.yaml'] }] }));
    const response = await fetch(`${gateway.url}/webhooks/git/github`, { method: 'POST', headers: await githubHeaders(body, secret), body });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ queued: [`render:web:${after}`], apps: ['web'] });

    const url = gateway.url;
    await gateway.close();
    gateway = undefined;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const redis = new Redis(redisServer.url);
    const queue = new Queue(queueNames.render, { connection: redis });
    try {
      expect(await queue.getJob(`render:web:${after}`)).toBeDefined();
    } finally {
      await queue.close();
      await redis.quit();
    }
  });
});
