// Fault suite: the renderer killed mid-render, a render caught by repeated crashes, and the git server down.
// Real processes: redis-server (AOF), git daemon, gateway and renderer started as `node services/<name>/src/main.ts`.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { freePort, makeWorkDir, toolPath, waitFor } from '../harness/src/index.ts';
import { startDurableRedis, type DurableRedis } from './support/durable-redis.ts';
import { eventsOf, measured, waitForEvents } from './support/fault-events.ts';
import { helmChartFiles, writeFaultConfig } from './support/fault-config.ts';
import { startGitOrigin, type GitOrigin } from './support/git-origin.ts';
import { startService, type ServiceProcess } from './support/service-process.ts';

const app = 'fault-chart';
const chartPath = 'apps/chart';

describe('faults: renderer crashes and the git server down', { timeout: 120_000 }, () => {
  let work: { dir: string; remove(): void };
  let redisServer: DurableRedis;
  let redis: Redis;
  let origin: GitOrigin;
  let gateway: ServiceProcess;
  let renderer: ServiceProcess;
  let gatewayUrl: string;
  let slowFlag: string;
  const secret = randomBytes(20).toString('hex');
  let rendererEnv: Record<string, string>;

  async function push(value: string): Promise<string> {
    const before = origin.head();
    const after = origin.commit(helmChartFiles(chartPath, value), `Set the value to ${value}`);
    expect(await origin.notify(gatewayUrl, secret, before, after)).toBe(202);
    return after;
  }

  beforeAll(async () => {
    work = makeWorkDir('faults-renderer');
    [redisServer, origin] = await Promise.all([startDurableRedis(), startGitOrigin()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    origin.commit(helmChartFiles(chartPath, 'seed'), 'Seed the chart');
    // A helm that takes its time while the flag file exists, so a render can be killed in the middle of it.
    slowFlag = join(work.dir, 'slow');
    const helm = join(work.dir, 'slow-helm');
    writeFileSync(helm, `#!/bin/sh\nif [ -f '${slowFlag}' ]; then sleep 3; fi\nexec '${toolPath('helm')}' "$@"\n`);
    chmodSync(helm, 0o755);
    const configDir = writeFaultConfig({
      dir: join(work.dir, 'config'), repoURL: origin.url, webhookSecretEnv: 'TIDEWATER_SECRET_WEBHOOK',
      apps: [{ name: app, path: chartPath, namespace: 'fault-chart', helm: true }],
    });
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    gateway = startService('gateway', {
      REDIS_URL: redisServer.url, TIDEWATER_CONFIG: configDir, PORT: String(port), TIDEWATER_SECRET_WEBHOOK: secret,
    }, work.dir);
    rendererEnv = {
      REDIS_URL: redisServer.url, TIDEWATER_CONFIG: configDir, TIDEWATER_CACHE_DIR: join(work.dir, 'cache'),
      TIDEWATER_HELM: helm, TIDEWATER_KUSTOMIZE: toolPath('kustomize'), TIDEWATER_BUNDLE_KEY: randomBytes(32).toString('hex'),
      TIDEWATER_RENDER_RETRY_DELAY_MS: '2000',
    };
    renderer = startService('renderer', rendererEnv, work.dir);
    await waitFor('the gateway to answer', async () => (await fetch(`${gatewayUrl}/healthz`).catch(() => undefined))?.ok, { timeoutMs: 60_000 });
    await renderer.waitForLog('renderer started', {}, 60_000);
  });
  afterAll(async () => {
    await Promise.all([gateway?.stop(), renderer?.stop()]);
    redis?.disconnect();
    await Promise.all([redisServer?.stop(), origin?.stop()]);
    work?.remove();
  });

  /** Waits for the render of `revision` to start for the `nth` time, then kills the renderer with SIGKILL. */
  async function killMidRender(revision: string, nth: number): Promise<number> {
    await waitForEvents(redis, eventTypes.renderStarted, { app, revision }, nth);
    await renderer.kill9();
    return Date.now();
  }

  it('a killed renderer\'s in-flight render resumes on the restarted renderer and completes once', async () => {
    writeFileSync(slowFlag, '');
    const revision = await push('one-crash');
    const killedAt = await killMidRender(revision, 1);
    renderer.restart();
    const [, resumed] = await waitForEvents(redis, eventTypes.renderStarted, { app, revision }, 2);
    const [succeeded] = await waitForEvents(redis, eventTypes.renderSucceeded, { app, revision });
    measured('renderer-kill', { resumed_after_kill_ms: Date.parse(resumed.time) - killedAt, rendered_after_kill_ms: Date.parse(succeeded.time) - killedAt });
    expect(succeeded.data).toMatchObject({ app, revision, cached: false });
    expect(await eventsOf(redis, eventTypes.renderSucceeded, { app, revision })).toHaveLength(1);
    expect(await eventsOf(redis, eventTypes.renderFailed, { app, revision })).toEqual([]);
  });

  it('a render caught by two crashes is run a third time and completes', async () => {
    writeFileSync(slowFlag, '');
    const revision = await push('two-crashes');
    await killMidRender(revision, 1);
    renderer.restart();
    await killMidRender(revision, 2);
    renderer.restart();
    await waitForEvents(redis, eventTypes.renderSucceeded, { app, revision });
    expect(await eventsOf(redis, eventTypes.renderStarted, { app, revision })).toHaveLength(3);
    expect(await eventsOf(redis, eventTypes.renderFailed, { app, revision })).toEqual([]);
  });

  it('past the crash limit the render fails with a render.failed event and a log line naming app and commit', async () => {
    await renderer.stop();
    renderer = startService('renderer', { ...rendererEnv, TIDEWATER_RENDER_MAX_STALLED: '0' }, work.dir);
    await renderer.waitForLog('renderer started', {}, 60_000);
    writeFileSync(slowFlag, '');
    const revision = await push('crash-limit');
    await killMidRender(revision, 1);
    renderer.restart();
    const [failed] = await waitForEvents(redis, eventTypes.renderFailed, { app, revision });
    expect(failed.data).toMatchObject({ app, revision, stalled: true });
    expect(String(failed.data.reason)).toContain(`render of ${app} at ${revision}`);
    const logged = await renderer.waitForLog('render failed', { app, revision });
    expect(String(logged.reason)).toMatch(/interrupted by renderer crashes/);
    expect(await eventsOf(redis, eventTypes.renderSucceeded, { app, revision })).toEqual([]);
  });

  it('with the git server down the render is retried and reported, and converges when it returns', async () => {
    rmSync(slowFlag, { force: true });
    await renderer.stop();
    renderer = startService('renderer', rendererEnv, work.dir);
    await renderer.waitForLog('renderer started', {}, 60_000);
    await origin.stopDaemon();
    const downAt = Date.now();
    const revision = await push('git-down');
    // Five attempts with BullMQ's backoff (about 15 s), then reported once and retried every 2 s here.
    const [failed] = await waitForEvents(redis, eventTypes.renderFailed, { app, revision });
    expect(failed.data).toMatchObject({ app, revision, retrying: true });
    expect(String(failed.data.reason)).toMatch(/git .* of git:\/\/127\.0\.0\.1:\d+\/acme\/fault-repo\.git failed/);
    expect(await eventsOf(redis, eventTypes.renderSucceeded, { app, revision })).toEqual([]);
    await origin.startDaemon();
    const upAt = Date.now();
    const [succeeded] = await waitForEvents(redis, eventTypes.renderSucceeded, { app, revision });
    measured('git-down', { down_ms: upAt - downAt, rendered_after_return_ms: Date.parse(succeeded.time) - upAt });
    // Reported once, however many retries it took.
    expect(await eventsOf(redis, eventTypes.renderFailed, { app, revision })).toHaveLength(1);
    expect(existsSync(slowFlag)).toBe(false);
  });
});
