import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { readDesiredRevision, redisKeys, type SyncHistoryEntry } from '@tidewater/queues';
import { readHistory } from '@tidewater/syncer';
import { requestControl } from '@tidewater/tide';
import { describePush, repoRoot, sendGithubPush } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf, waitForSync } from './helpers.ts';

const run = promisify(execFile);
const app = 'plain-configs';
const settingsFile = 'apps/plain-configs/app-settings.yaml';
const settings = (region: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\ndata:\n  logLevel: info\n  region: ${region}\n`;

describe('history, rollback and the pause of automated sync', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let core: CoreV1Api;
  let adminToken: string;
  const revisions: Record<'seed' | 'v1' | 'v2' | 'v3', string> = { seed: '', v1: '', v2: '', v3: '' };

  /** The `tide` CLI, as an operator runs it, against this environment's API as admin (async: the syncer runs in this process). */
  async function tide(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [join(repoRoot, 'services/tide/src/main.ts'), ...args], {
      cwd: repoRoot, env: { ...process.env, TIDE_SERVER: env.apiUrl, TIDE_AUTH_TOKEN: adminToken }, timeout: 120_000,
    });
    return stdout;
  }
  const region = async () => (await core.readNamespacedConfigMap({ name: 'app-settings', namespace: app })).data?.region;
  const pause = async () => {
    const raw = await redis.get(redisKeys.paused(app));
    return raw ? JSON.parse(raw) as Record<string, string> : undefined;
  };
  const push = async (name: 'v1' | 'v2' | 'v3', author = 'Dana Dev <dana@example.com>') => {
    revisions[name] = (await env.repo.commit({ [settingsFile]: settings(`region-${name}`) }, `Settings ${name}`, { author })).sha;
    return revisions[name];
  };

  beforeAll(async () => {
    env = await startTidewaterEnvironment();
    redis = new Redis(env.redis.url);
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    const session = await fetch(`${env.apiUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: env.adminPassword }) });
    adminToken = ((await session.json()) as { token: string }).token;
    revisions.seed = env.repo.head();
    await waitForSync(redis, app, revisions.seed);
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  it('records every sync, newest first, with its trigger and actor', async () => {
    await waitForSync(redis, app, await push('v1'));
    await waitForSync(redis, app, await push('v2'));
    const history = await readHistory(redis, app);
    expect(history.map((entry) => entry.revision).slice(0, 3)).toEqual([revisions.v2, revisions.v1, revisions.seed]);
    expect(history[0]).toMatchObject({ phase: 'Succeeded', trigger: { kind: 'webhook', actor: 'Dana Dev' } });
    expect(history[0].trigger.deliveryId).toBeTruthy();
    expect(history[0].id).toBeGreaterThan(history[1].id);
    expect(await region()).toBe('region-v2');

    const table = await tide('app', 'history', app);
    expect(table.split('\n')[0]).toBe(`${app}: automated sync running`);
    expect(table).toMatch(new RegExp(`${revisions.v2.slice(0, 12)}\\s+Succeeded\\s+webhook\\s+Dana Dev`));
  });

  it('rolls back to the previous revision, pauses automated sync and records who did it', async () => {
    // The bundle of v1 expired from the cache: the renderer renders v1 again, and must not follow the branch to v2.
    const v1Entry = (await readHistory(redis, app)).find((entry) => entry.revision === revisions.v1) as SyncHistoryEntry;
    await redis.del(v1Entry.bundleKey as string);

    // Through the API, the actor is the authenticated account (admin), not whatever the caller claims.
    const output = await tide('app', 'rollback', app);
    expect(output).toContain(`${app} rolled back to ${revisions.v1.slice(0, 12)} (was ${revisions.v2.slice(0, 12)})`);
    expect(await region()).toBe('region-v1');
    expect(await pause()).toMatchObject({ revision: revisions.v1, by: 'admin', reason: 'rollback', from: revisions.v2 });
    const [latest] = await readHistory(redis, app);
    expect(latest).toMatchObject({ revision: revisions.v1, phase: 'Succeeded', trigger: { kind: 'rollback', actor: 'admin' } });
    expect(await eventsOf(redis, eventTypes.rollbackRequested, { app, revision: revisions.v1 })).toHaveLength(1);
    const [paused] = await eventsOf(redis, eventTypes.syncPaused, { app, revision: revisions.v1 });
    expect(paused.data).toMatchObject({ actor: 'admin', reason: 'rollback' });
    expect((await tide('app', 'history', app)).split('\n')[0]).toContain(`PAUSED at ${revisions.v1.slice(0, 12)} (rollback, by admin`);
  });

  it('a re-delivered webhook of the commit rolled back from neither resumes nor re-applies it', async () => {
    // A body the gateway has not seen (another pusher): the same bytes again would be dropped as a replay before
    // the pause gate, and this test is about the pause gate.
    const response = await sendGithubPush(`${env.gatewayUrl}/webhooks/git/github`, env.webhookSecret, { ...githubPush(env, revisions.v2), pusher: 'redelivery' }, randomUUID());
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({ queued: [], paused: [app] });
    // The gateway decided before answering: nothing was asked of the renderer, the rollback still holds.
    expect((await readDesiredRevision(redis, app))?.revision).toBe(revisions.v1);
    expect(await pause()).toMatchObject({ revision: revisions.v1 });
    expect(await region()).toBe('region-v1');
  });

  it('an operator resume clears the pause and catches up to the newest pushed revision', async () => {
    const result = await requestControl({ kind: 'resume', app, actor: 'bob', trace: {} }, { redisUrl: env.redis.url });
    expect(result).toEqual({ kind: 'resume', app, resumed: true, pausedRevision: revisions.v1, catchUpRevision: revisions.v2 });
    expect(await pause()).toBeUndefined();
    const synced = await waitForSync(redis, app, revisions.v2);
    expect(synced.trigger).toMatchObject({ kind: 'manual', actor: 'bob' });
    expect(await region()).toBe('region-v2');
    const [resumed] = await eventsOf(redis, eventTypes.syncResumed, { app, revision: revisions.v1 });
    expect(resumed.data).toMatchObject({ actor: 'bob', reason: 'operator' });
  });

  it('a new commit while paused resumes automated sync and is applied', async () => {
    const rollback = await requestControl({ kind: 'rollback', app, revision: revisions.v1.slice(0, 10), actor: 'alice', trace: {} }, { redisUrl: env.redis.url });
    expect(rollback).toMatchObject({ kind: 'rollback', revision: revisions.v1, paused: true });
    expect(await region()).toBe('region-v1');

    const v3 = await push('v3', 'Erin Ops <erin@example.com>');
    const synced = await waitForSync(redis, app, v3);
    expect(synced).toMatchObject({ phase: 'Succeeded', trigger: { kind: 'webhook', actor: 'Erin Ops' } });
    expect(await region()).toBe('region-v3');
    expect(await pause()).toBeUndefined();
    const [resumed] = await eventsOf(redis, eventTypes.syncResumed, { app, revision: v3 });
    expect(resumed.data).toMatchObject({ actor: 'Erin Ops', reason: 'new commit', pausedRevision: revisions.v1 });
    expect((await readHistory(redis, app)).slice(0, 2).map((entry) => [entry.revision, entry.trigger.kind]))
      .toEqual([[v3, 'webhook'], [revisions.v1, 'rollback']]);
  });

  it('tide app diff answers through the API and the same control queue: in sync, then a hand edit as a unified diff', async () => {
    expect(await tide('app', 'diff', app)).toBe('');
    // plain-configs has no selfHeal: the edit stays and only shows in the diff (exit code 1: differences).
    const live = await core.readNamespacedConfigMap({ name: 'app-settings', namespace: app });
    await core.replaceNamespacedConfigMap({ name: 'app-settings', namespace: app, body: { ...live, data: { ...live.data, region: 'hand-edited' } } });
    const failed = await tide('app', 'diff', app).then(() => undefined, (error: { code: number; stdout: string }) => error);
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/ConfigMap plain-configs\/app-settings changed/);
    expect(failed?.stdout).toMatch(/^-.*region: hand-edited$/m);
    expect(failed?.stdout).toMatch(/^\+.*region: region-v3$/m);
  });

  it('refuses a revision outside the history, and says so when no syncer listens', async () => {
    await expect(requestControl({ kind: 'rollback', app, revision: 'f'.repeat(40), trace: {} }, { redisUrl: env.redis.url }))
      .rejects.toThrow(/not in the kept history of plain-configs/);
    expect(await pause()).toBeUndefined();
    await expect(requestControl({ kind: 'resume', app, trace: {} }, { redisUrl: env.redis.url, prefix: 'nobody-listens' }))
      .rejects.toThrow(/no syncer is running/);
    await expect(tide('app', 'rollback', 'no-such-app')).rejects.toThrow(/application no-such-app not found/);
  });
});

function githubPush(env: TidewaterEnvironment, sha: string) {
  const before = spawnSync('git', ['--git-dir', env.repo.gitDir, 'rev-parse', `${sha}~1`], { encoding: 'utf8' }).stdout.trim();
  return {
    cloneUrl: env.repo.url, fullName: 'tidewater/gitops-repo', ref: 'refs/heads/main',
    before, after: sha, commits: describePush(env.repo.gitDir, 'refs/heads/main', before, sha),
  };
}
