// Fault suite on the five-process topology: gateway, renderer, syncer, notifier and auditor as their own processes
// against redis-server (AOF on, as the chart runs it), a real kube-apiserver, a git daemon and a Slack-like server.
// kill -9 of each service mid-work, Redis killed and restarted, Redis flushed.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes, readAllEvents } from '@tidewater/events';
import { freePort, makeWorkDir, repoRoot, startCluster, toolPath, waitFor, type TestCluster } from '../harness/src/index.ts';
import { startSlackSink, type SlackSink } from '../../services/notifier/src/test-support/slack-sink.ts';
import { startDurableRedis, type DurableRedis } from './support/durable-redis.ts';
import { eventsOf, measured, waitForEvents } from './support/fault-events.ts';
import { configMapYaml, writeFaultConfig } from './support/fault-config.ts';
import { startGitOrigin, type GitOrigin } from './support/git-origin.ts';
import { startService, type ServiceName, type ServiceProcess } from './support/service-process.ts';

const app = 'fault-app';
const namespace = 'fault-app';
const hookPath = '/services/T000/B000/topologysecret';
const settingsFile = 'apps/app/settings.yaml';

describe('faults: the five services as processes', { timeout: 180_000 }, () => {
  let work: { dir: string; remove(): void };
  let redisServer: DurableRedis;
  let redis: Redis;
  let cluster: TestCluster;
  let origin: GitOrigin;
  let sink: SlackSink;
  let core: CoreV1Api;
  let gatewayUrl: string;
  let auditDir: string;
  const services = {} as Record<ServiceName, ServiceProcess>;
  const secret = randomBytes(20).toString('hex');

  const settingsValue = async () => (await core.readNamespacedConfigMap({ name: 'settings', namespace }).catch(() => undefined))?.data?.value;
  const waitForValue = (value: string, timeoutMs = 90_000) => waitFor(`the cluster to hold ${value}`, async () => (await settingsValue()) === value, { timeoutMs, intervalMs: 200 });
  const commitValue = (value: string) => origin.commit({ [settingsFile]: configMapYaml('settings', value) }, `Settings ${value}`);
  const slackMessagesFor = (revision: string) => sink.to(hookPath).filter((request) => request.body.includes(revision.slice(0, 7)));
  const auditCli = (command: 'verify' | 'export') => spawnSync(process.execPath, [join(repoRoot, 'services/auditor/src/main.ts'), command, '--dir', auditDir], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const auditedIds = () => auditCli('export').stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { event: { id: string } }).event.id);

  async function waitForGateway() {
    await waitFor('the gateway to answer', async () => (await fetch(`${gatewayUrl}/healthz`).catch(() => undefined))?.ok, { timeoutMs: 60_000 });
  }

  beforeAll(async () => {
    work = makeWorkDir('faults-topology');
    [redisServer, cluster, origin, sink] = await Promise.all([startDurableRedis(), startCluster({ name: 'faults' }), startGitOrigin(), startSlackSink()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    origin.commit({ [settingsFile]: configMapYaml('settings', 'seed'), 'apps/app/keeper.yaml': configMapYaml('keeper', 'never changes') }, 'Seed');
    const configDir = writeFaultConfig({
      dir: join(work.dir, 'config'), repoURL: origin.url, webhookSecretEnv: 'TIDEWATER_SECRET_WEBHOOK',
      apps: [{ name: app, path: 'apps/app', namespace }],
      cluster: { server: cluster.server, kubeconfigPath: cluster.kubeconfigPath },
      slack: { apiUrl: `${sink.url}/api`, urlEnv: 'TIDEWATER_SECRET_SLACK_HOOK' },
    });
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    auditDir = join(work.dir, 'audit');
    const bundleKey = randomBytes(32).toString('hex');
    // Every service loads the Cluster document, whose kubeconfig file must be inside the secret scope; only the
    // syncer reads it.
    const common = { REDIS_URL: redisServer.url, TIDEWATER_CONFIG: configDir, TIDEWATER_SECRET_DIRS: dirname(cluster.kubeconfigPath) };
    // Each service gets only its own credentials.
    services.gateway = startService('gateway', { ...common, PORT: String(port), TIDEWATER_SECRET_WEBHOOK: secret }, work.dir);
    services.renderer = startService('renderer', {
      ...common, TIDEWATER_CACHE_DIR: join(work.dir, 'cache'), TIDEWATER_HELM: toolPath('helm'), TIDEWATER_KUSTOMIZE: toolPath('kustomize'),
      TIDEWATER_BUNDLE_KEY: bundleKey, TIDEWATER_RENDER_RETRY_DELAY_MS: '2000',
    }, work.dir);
    services.syncer = startService('syncer', { ...common, TIDEWATER_BUNDLE_KEY: bundleKey }, work.dir);
    services.notifier = startService('notifier', { ...common, TIDEWATER_SECRET_SLACK_HOOK: `${sink.url}${hookPath}`, TIDEWATER_NOTIFY_RETRY_MAX_DELAY_MS: '2000' }, work.dir);
    services.auditor = startService('auditor', { REDIS_URL: redisServer.url, TIDEWATER_AUDIT_DIR: auditDir, PORT: String(await freePort()) }, work.dir);
    await Promise.all([
      waitForGateway(),
      services.renderer.waitForLog('renderer started', {}, 90_000),
      services.syncer.waitForLog('syncer started', {}, 90_000),
      services.notifier.waitForLog('notifier started', {}, 90_000),
      services.auditor.waitForLog('auditor started', {}, 90_000),
    ]);
    // The seed reaches the cluster through the whole loop.
    const seed = origin.head();
    expect(await origin.notify(gatewayUrl, secret, '0'.repeat(40), seed)).toBe(202);
    await waitForValue('seed', 120_000);
  });
  afterAll(async () => {
    await Promise.all(Object.values(services).map((service) => service.stop()));
    redis?.disconnect();
    await Promise.all([redisServer?.stop(), cluster?.stop(), origin?.stop(), sink?.close()]);
    work?.remove();
  });

  it('kill -9 of the gateway in a burst: what was answered 202 is applied once, and the newest commit wins', async () => {
    const before = origin.head();
    const revisions: string[] = [];
    for (let i = 1; i <= 6; i++) revisions.push(commitValue(`burst-${i}`));
    const statuses: number[] = [];
    let previous = before;
    for (const [index, revision] of revisions.entries()) {
      if (index === 3) await services.gateway.kill9();
      statuses.push(await origin.notify(gatewayUrl, secret, previous, revision).catch(() => 0));
      previous = revision;
    }
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses.slice(3)).toEqual([0, 0, 0]); // refused while the gateway is down: never accepted
    services.gateway.restart();
    await waitForGateway();
    // The renderer follows the branch from an accepted commit to its newest: the cluster ends at burst-6.
    await waitForValue('burst-6');
    for (const revision of revisions) expect((await eventsOf(redis, eventTypes.syncSucceeded, { app, revision })).length).toBeLessThanOrEqual(1);
  });

  it('kill -9 of renderer, notifier and auditor mid-work: the push is applied once, Slack gets one message, the audit chain verifies', async () => {
    const before = origin.head();
    const revision = commitValue('crashes');
    sink.script(hookPath, [{ hang: true }]);
    expect(await origin.notify(gatewayUrl, secret, before, revision)).toBe(202);
    await waitForEvents(redis, eventTypes.renderStarted, { app, revision });
    await Promise.all([services.renderer.kill9(), services.auditor.kill9()]);
    const killedAt = Date.now();
    services.renderer.restart();
    services.auditor.restart();
    await waitForValue('crashes');
    const [synced] = await waitForEvents(redis, eventTypes.syncSucceeded, { app, revision });
    await waitFor('the notifier to send to Slack', () => slackMessagesFor(revision).length > 0);
    await services.notifier.kill9(); // while Slack holds the request open
    services.notifier.restart();
    await waitForEvents(redis, eventTypes.notificationSent, { app, revision }, 1, 60_000);
    measured('topology-kill', { applied_after_renderer_kill_ms: Date.parse(synced.time) - killedAt });
    expect(await eventsOf(redis, eventTypes.syncSucceeded, { app, revision })).toHaveLength(1);
    expect(slackMessagesFor(revision)).toHaveLength(2); // the hung one (never answered) and the one Slack accepted
    expect(await eventsOf(redis, eventTypes.notificationSent, { app, revision })).toHaveLength(1);
    // Every event of the stream is in the audit log once, in order, and the hash chain verifies.
    const streamIds = (await readAllEvents(redis, 1_000_000)).map((event) => event.id);
    const audited = await waitFor('the auditor to catch up', () => {
      const ids = auditedIds();
      return ids.length >= streamIds.length ? ids : undefined;
    }, { timeoutMs: 60_000 });
    expect(audited.slice(0, streamIds.length)).toEqual(streamIds);
    expect(new Set(audited).size).toBe(audited.length);
    expect(auditCli('verify').status).toBe(0);
  });

  it('Redis killed -9 right after a 202 and restarted from its AOF: the push is applied', async () => {
    const before = origin.head();
    const revision = commitValue('redis-restart');
    expect(await origin.notify(gatewayUrl, secret, before, revision)).toBe(202);
    await redisServer.kill();
    const killedAt = Date.now();
    await redisServer.start();
    await waitForValue('redis-restart');
    measured('redis-restart', { applied_after_kill_ms: Date.now() - killedAt });
    await waitForEvents(redis, eventTypes.syncSucceeded, { app, revision });
    expect(await eventsOf(redis, eventTypes.syncSucceeded, { app, revision })).toHaveLength(1);
  });

  it('Redis flushed entirely: a push after it still syncs, and nothing is deleted because Redis forgot it', async () => {
    const keeperBefore = await core.readNamespacedConfigMap({ name: 'keeper', namespace });
    await redis.flushall();
    const flushedAt = Date.now();
    const before = origin.head();
    const revision = commitValue('after-flush');
    expect(await origin.notify(gatewayUrl, secret, before, revision)).toBe(202);
    await waitForValue('after-flush');
    measured('redis-flush', { applied_after_flush_ms: Date.now() - flushedAt });
    const keeperAfter = await core.readNamespacedConfigMap({ name: 'keeper', namespace });
    expect(keeperAfter.metadata?.uid).toBe(keeperBefore.metadata?.uid);
    expect(await eventsOf(redis, eventTypes.resourcePruned, { app })).toEqual([]);
    await waitForEvents(redis, eventTypes.syncSucceeded, { app, revision });
  });

  it('after the flush, what leaves Git is still pruned: the tracking label, not Redis, says what Tidewater owns', async () => {
    const before = origin.head();
    const revision = origin.commit({ 'apps/app/keeper.yaml': null }, 'Drop the keeper');
    expect(await origin.notify(gatewayUrl, secret, before, revision)).toBe(202);
    await waitFor('the keeper to be pruned', async () => (await core.readNamespacedConfigMap({ name: 'keeper', namespace }).then(() => false, () => true)), { timeoutMs: 90_000, intervalMs: 200 });
    const [pruned] = await waitForEvents(redis, eventTypes.resourcePruned, { app, revision });
    expect(pruned.data).toMatchObject({ kind: 'ConfigMap', name: 'keeper', namespace });
    expect(await settingsValue()).toBe('after-flush');
  });
});
