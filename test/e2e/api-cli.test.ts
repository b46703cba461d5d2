import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { makeWorkDir, repoRoot, waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf, waitForSync } from './helpers.ts';

const run = promisify(execFile);
const app = 'plain-configs';

interface CliResult { code: number; stdout: string; stderr: string }

// The `tide` CLI as an operator runs it: a separate process that knows only the API URL and its own config file.
describe('tide CLI against a running API, real Redis and the real loop', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let work: ReturnType<typeof makeWorkDir>;
  const configFile = () => join(work.dir, 'tide', 'config');

  async function tide(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, TIDE_CONFIG: configFile(), ...extraEnv };
    delete childEnv.REDIS_URL;
    try {
      const { stdout, stderr } = await run(process.execPath, [join(repoRoot, 'services/tide/src/main.ts'), ...args], { cwd: repoRoot, env: childEnv, timeout: 180_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  beforeAll(async () => {
    env = await startTidewaterEnvironment();
    redis = new Redis(env.redis.url);
    work = makeWorkDir('tide-cli');
    await waitForSync(redis, app, env.repo.head());
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
    work?.remove();
  });

  it('logs in with the admin password and stores a 0600 context; wrong passwords exit 12', async () => {
    const wrong = await tide(['login', env.apiUrl, '--username', 'admin', '--password', 'not-it']);
    expect(wrong.code).toBe(12);
    expect(wrong.stderr).toContain('invalid username or password');
    const login = await tide(['login', env.apiUrl, '--username', 'admin', '--password', env.adminPassword]);
    expect(login.stderr).toBe('');
    expect(login.stdout).toContain("'admin' logged in successfully");
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
  });

  it('lists and gets applications in argocd app\'s format (-o wide|json|yaml)', async () => {
    const list = await tide(['app', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+CLUSTER\s+NAMESPACE\s+PROJECT\s+STATUS\s+HEALTH\s+SYNCPOLICY\s+CONDITIONS$/);
    expect(list.stdout).toMatch(new RegExp(`${app}\\s+https://kubernetes.default.svc\\s+${app}\\s+demo\\s+Synced\\s+\\w+\\s+Auto`));
    const wide = await tide(['app', 'list', '-o', 'wide', '-l', 'missing-label']);
    expect(wide.stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse((await tide(['app', 'list', '-o', 'json'])).stdout) as Array<{ metadata: { name: string } }>;
    expect(json.map((item) => item.metadata.name)).toContain(app);
    const get = await tide(['app', 'get', app]);
    expect(get.stdout).toMatch(/^Name:\s+plain-configs$/m);
    expect(get.stdout).toMatch(new RegExp(`^Sync Status:\\s+Synced to ${env.repo.head().slice(0, 12)}$`, 'm'));
    expect(get.stdout).toMatch(/ConfigMap\s+plain-configs\s+app-settings\s+Synced/);
    expect((await tide(['app', 'get', app, '-o', 'yaml'])).stdout).toMatch(/^kind: Application$/m);
    const missing = await tide(['app', 'get', 'no-such-app']);
    expect(missing.code).toBe(13);
    expect(missing.stderr).toContain('application no-such-app not found');
  });

  it('diff exits 0 in sync, 1 after a hand edit (printing the diff), 2 on error', async () => {
    const clean = await tide(['app', 'diff', app]);
    expect(clean.code).toBe(0);
    const core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    const live = await core.readNamespacedConfigMap({ name: 'app-settings', namespace: app });
    await core.replaceNamespacedConfigMap({ name: 'app-settings', namespace: app, body: { ...live, data: { ...live.data, region: 'hand-edited' } } });
    const drifted = await tide(['app', 'diff', app]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatch(/^-.*region: hand-edited$/m);
    expect((await tide(['app', 'diff', 'no-such-app'])).code).toBe(2);
  });

  it('sync --wait shows progress and records the logged-in account as the actor', async () => {
    const sync = await tide(['app', 'sync', app, '--timeout', '120']);
    const refused = /control request 'sync' is not available in this syncer build/.test(sync.stderr);
    // The syncer side of the `sync` control job lands with its own branch; until then the CLI reports the refusal.
    if (refused) {
      expect(sync.code).toBe(20);
    } else {
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stderr).toMatch(/operation (Running|Succeeded)\s+sync/);
      expect(sync.stdout).toMatch(/^Sync Status:\s+Synced/m);
    }
    const [requested] = (await eventsOf(redis, eventTypes.operationRequested, { app })).slice(-1);
    expect(requested.data).toMatchObject({ actor: 'admin', operation: 'sync' });
  });

  it('history, rollback by id and resume, with the authenticated account as actor', async () => {
    const v2 = (await env.repo.commit({ 'apps/plain-configs/app-settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\ndata:\n  region: cli-v2\n' }, 'Settings v2')).sha;
    await waitForSync(redis, app, v2);
    const history = await tide(['app', 'history', app]);
    expect(history.stdout.split('\n')[0]).toBe(`${app}: automated sync running`);
    const ids = JSON.parse((await tide(['app', 'history', app, '-o', 'json'])).stdout) as { history: Array<{ id: number; revision: string }> };
    const previous = ids.history.find((entry) => entry.revision !== v2) as { id: number; revision: string };
    const rollback = await tide(['app', 'rollback', app, String(previous.id), '--timeout', '120']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain(`${app} rolled back to ${previous.revision.slice(0, 12)}`);
    expect((await tide(['app', 'history', app])).stdout.split('\n')[0]).toContain(`PAUSED at ${previous.revision.slice(0, 12)} (rollback, by admin`);
    const resume = await tide(['app', 'resume', app]);
    expect(resume.stdout).toContain(`${app}: automated sync resumed`);
    const [resumed] = (await eventsOf(redis, eventTypes.syncResumed, { app })).slice(-1);
    expect(resumed.data).toMatchObject({ actor: 'admin' });
  });

  it('manifests, events and audit', async () => {
    const manifests = await tide(['app', 'manifests', app]);
    expect(manifests.stdout).toMatch(/^kind: ConfigMap$/m);
    const events = await tide(['events', '--app', app, '--limit', '5']);
    expect(events.stdout).toMatch(/dev\.tidewater\./);
    const audit = await tide(['audit', '--app', app, '--type', 'dev.tidewater.operation.requested', '-o', 'json']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ event: expect.objectContaining({ data: expect.objectContaining({ actor: 'admin' }) }) })]));
  });

  it('generates an account token and a project role token; each works with --auth-token and only as far as its policy', async () => {
    const botToken = (await tide(['account', 'generate-token', '--account', 'release-bot', '--expires-in', '1h'])).stdout.trim();
    expect(botToken).toMatch(/^tw_/);
    const asBot = await tide(['--auth-token', botToken, '--server', env.apiUrl, 'account', 'get-user-info']);
    expect(asBot.stdout).toContain('Username: release-bot');
    const denied = await tide(['--auth-token', botToken, '--server', env.apiUrl, 'app', 'sync', 'guestbook-staging', '--async']);
    expect(denied.code).toBe(12);
    expect(denied.stderr).toContain('permission denied: applications, sync, demo/guestbook-staging');
    const ciToken = (await tide(['proj', 'role', 'create-token', 'demo', 'ci', '-e', '10m'])).stdout.trim();
    const asCi = await tide(['app', 'list', '-o', 'name'], { TIDE_AUTH_TOKEN: ciToken, TIDE_SERVER: env.apiUrl });
    expect(asCi.stdout.split('\n')).toContain(app);
    expect((await tide(['account', 'can-i', 'sync', 'applications', `demo/${app}`], { TIDE_AUTH_TOKEN: ciToken, TIDE_SERVER: env.apiUrl })).stdout.trim()).toBe('yes');
  });

  it('events -f streams new events as they land', async () => {
    const follower = spawn(process.execPath, [join(repoRoot, 'services/tide/src/main.ts'), 'events', '-f', '--app', app, '--limit', '1'], {
      cwd: repoRoot, env: { ...process.env, TIDE_CONFIG: configFile() }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    follower.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    try {
      await waitFor('the follower to print the latest event', async () => output.includes('dev.tidewater.'), { timeoutMs: 60_000 });
      const before = output.length;
      // Each resume publishes an operation.requested event by the caller; retried until the stream shows one.
      await waitFor('a new event to be streamed', async () => {
        await tide(['app', 'resume', app]);
        return output.slice(before).includes('dev.tidewater.operation.requested');
      }, { timeoutMs: 60_000, intervalMs: 1_000 });
      expect(output.slice(before)).toMatch(/dev\.tidewater\.operation\.requested\s+plain-configs\s+.*by admin/);
    } finally {
      follower.kill('SIGTERM');
    }
  });

  it('refuses without login (no Redis URL is read) and prints completion', async () => {
    const anonymous = await tide(['app', 'list'], { TIDE_CONFIG: join(work.dir, 'nothing') });
    expect(anonymous.code).toBe(20);
    expect(anonymous.stderr).toContain('run `tide login <url>` first');
    expect((await tide(['completion', 'bash'])).stdout).toContain('complete -o default -F _tide tide');
  });
});
