// Bad input at start-up: each service, started as its own process without a credential it needs, exits at once
// (before any job) with a message naming the variable or file, never a secret value.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkDir, repoRoot, startRedis, type RedisInstance } from '../harness/src/index.ts';

interface Exit { code: number | null; stderr: string; started: boolean }

/**
 * Runs `services/<name>/src/main.ts` with exactly `env` (plus PATH/HOME) until it exits; once its log says
 * `<name> started` it is stopped (SIGTERM) and `started` is true. A process still running after 60 s is killed.
 */
function startService(name: string, env: Record<string, string>): Promise<Exit> {
  const child = spawn(join(repoRoot, 'scripts/with-node'), ['node', `services/${name}/src/main.ts`], {
    cwd: repoRoot, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TIDEWATER_LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let started = false;
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout.on('data', (chunk: Buffer) => {
    if (!started && chunk.toString().includes(`"msg":"${name} started"`)) {
      started = true;
      child.kill('SIGTERM');
    }
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolveExit) => child.on('exit', (code) => {
    clearTimeout(deadline);
    resolveExit({ code, stderr, started });
  }));
}

describe('a service without a credential it needs exits at once, naming it', () => {
  let redis: RedisInstance;
  let work: ReturnType<typeof makeWorkDir>;
  let configDir: string;
  const present = 'a-present-secret-value-that-must-not-be-printed';

  beforeAll(async () => {
    redis = await startRedis();
    work = makeWorkDir('missing-credentials');
    configDir = join(work.dir, 'config');
    mkdirSync(configDir);
    // Every kind of credential reference; each service checks the ones it reads.
    writeFileSync(join(configDir, 'platform.yaml'), [
      'apiVersion: tidewater.dev/v1alpha1', 'kind: Repository', 'metadata: {name: gitops}', 'spec:',
      '  url: https://git.example.com/team/gitops.git',
      '  webhookSecretRef: {env: TIDEWATER_SECRET_GITOPS_WEBHOOK}', '  credentialRef: {env: TIDEWATER_SECRET_GITOPS_READ}',
      '---',
      'apiVersion: tidewater.dev/v1alpha1', 'kind: Cluster', 'metadata: {name: production}', 'spec:',
      '  server: https://10.0.0.1:6443', '  kubeconfigRef: {env: TIDEWATER_SECRET_PRODUCTION_KUBECONFIG}',
      '---',
      'apiVersion: tidewater.dev/v1alpha1', 'kind: NotificationChannel', 'metadata: {name: team-slack}', 'spec:',
      '  type: slack', '  webhookUrlRef: {env: TIDEWATER_SECRET_TEAM_SLACK_URL}', '  subscriptions: [{trigger: on-sync-succeeded}]', '',
    ].join('\n'));
  });
  afterAll(async () => {
    await redis?.stop();
    work?.remove();
  });

  const base = () => ({ REDIS_URL: redis.url, TIDEWATER_CONFIG: configDir, PORT: '0', TIDEWATER_CACHE_DIR: join(work.dir, 'cache') });
  const bundleKey = { TIDEWATER_BUNDLE_KEY: 'b'.repeat(64) };

  const cases: Array<{ service: string; missing: string; env: () => Record<string, string>; message: string | RegExp }> = [
    { service: 'gateway', missing: 'a Repository webhook secret', env: () => ({}),
      message: 'gateway: cannot start: Repository gitops spec.webhookSecretRef: env TIDEWATER_SECRET_GITOPS_WEBHOOK is not set' },
    { service: 'renderer', missing: 'the bundle signing key', env: () => ({ TIDEWATER_SECRET_GITOPS_READ: present }),
      message: 'the renderer needs TIDEWATER_BUNDLE_KEY or TIDEWATER_BUNDLE_KEY_FILE' },
    { service: 'renderer', missing: 'a Repository read credential', env: () => bundleKey,
      message: 'renderer: cannot start: Repository gitops spec.credentialRef: env TIDEWATER_SECRET_GITOPS_READ is not set' },
    { service: 'syncer', missing: 'the bundle signing key', env: () => ({ TIDEWATER_SECRET_PRODUCTION_KUBECONFIG: present }),
      message: 'the syncer needs TIDEWATER_BUNDLE_KEY or TIDEWATER_BUNDLE_KEY_FILE' },
    { service: 'syncer', missing: 'a Cluster kubeconfig', env: () => bundleKey,
      message: 'syncer: cannot start: Cluster production spec.kubeconfigRef: env TIDEWATER_SECRET_PRODUCTION_KUBECONFIG is not set' },
    { service: 'notifier', missing: 'a Slack webhook URL', env: () => ({}),
      message: 'notifier: cannot start: NotificationChannel team-slack spec.webhookUrlRef: env TIDEWATER_SECRET_TEAM_SLACK_URL is not set' },
    { service: 'api', missing: 'its admin password file', env: () => ({ TIDEWATER_ADMIN_PASSWORD_FILE: join(work.dir, 'no-such-password'), TIDEWATER_SECRET_DIRS: work.dir, TIDEWATER_STATE_DIR: join(work.dir, 'state') }),
      message: /^api: cannot start: TIDEWATER_ADMIN_PASSWORD_FILE: file \S+\/no-such-password /m },
    { service: 'promoter', missing: 'the Redis password file', env: () => ({ REDIS_PASSWORD_FILE: join(work.dir, 'no-such-redis-password') }),
      message: /REDIS_PASSWORD_FILE \S+\/no-such-redis-password cannot be read \(ENOENT\)/ },
    { service: 'auditor', missing: 'the Redis password file', env: () => ({ REDIS_PASSWORD_FILE: join(work.dir, 'no-such-redis-password'), TIDEWATER_AUDIT_DIR: join(work.dir, 'audit') }),
      message: /REDIS_PASSWORD_FILE \S+\/no-such-redis-password cannot be read \(ENOENT\)/ },
  ];

  for (const { service, missing, env, message } of cases) {
    it(`the ${service} without ${missing}`, async () => {
      const result = await startService(service, { ...base(), ...env() });
      expect(result.started, result.stderr).toBe(false);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain(present);
    });
  }

  it('starts when every credential it reads is there (the check refuses only what is missing)', async () => {
    const result = await startService('notifier', { ...base(), TIDEWATER_SECRET_TEAM_SLACK_URL: 'https://hooks.slack.example/services/T/B/x' });
    expect(result.started, result.stderr).toBe(true);
    expect(result.stderr).toBe('');
  });
});
