// docker-compose.yml as written, brought up with podman-compose (no Docker engine here): the image from
// scripts/build-image, Redis from a Debian stand-in tagged redis:7.2. Every service keeps running, the published
// ports answer, and a push signed with TIDEWATER_WEBHOOK_SECRET is accepted. Skipped without podman-compose.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkDir, repoRoot, sendGithubPush, waitFor } from '../harness/src/index.ts';

const run = promisify(execFile);
const hasCompose = spawnSync('podman-compose', ['version']).status === 0;
const project = `twcompose${process.pid}`;
const published = [8080, 8081, 8083];
const portFree = (port: number) => new Promise<boolean>((resolveFree) => {
  const socket = createConnection({ port, host: '127.0.0.1' });
  socket.once('connect', () => { socket.destroy(); resolveFree(false); });
  socket.once('error', () => resolveFree(true));
});

describe.skipIf(!hasCompose)('docker-compose.yml with podman-compose', () => {
  let work: ReturnType<typeof makeWorkDir>;
  let env: NodeJS.ProcessEnv;
  const webhookSecret = randomBytes(16).toString('hex');
  const compose = (args: string[]) => run('podman-compose', ['-p', project, ...args], { cwd: repoRoot, env, maxBuffer: 16 << 20, timeout: 300_000 });
  const podman = (args: string[]) => run('podman', args, { env, maxBuffer: 16 << 20, timeout: 120_000 });

  beforeAll(async () => {
    for (const port of published) expect(await portFree(port), `port ${port} (docker-compose.yml publishes it) is busy`).toBe(true);
    work = makeWorkDir('compose');
    // This host's runtime settings (runc, ulimits within the hard limits) for every container compose starts.
    const flags = (await run(join(repoRoot, 'scripts/build-image'), ['--print-run-flags'])).stdout.split('\n').filter(Boolean);
    const ulimits = flags.flatMap((flag, index) => (flags[index - 1] === '--ulimit' ? [`"${flag}"`] : []));
    const runtime = flags[flags.indexOf('--runtime') + 1];
    writeFileSync(join(work.dir, 'containers.conf'), `[containers]\ndefault_ulimits = [${ulimits.join(', ')}]\n${flags.includes('--runtime') ? `[engine]\nruntime = "${runtime}"\n` : ''}`);
    writeFileSync(join(work.dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    env = {
      ...process.env, CONTAINERS_CONF: join(work.dir, 'containers.conf'),
      REDIS_PASSWORD: randomBytes(24).toString('hex'), TIDEWATER_BUNDLE_KEY: randomBytes(32).toString('hex'), TIDEWATER_WEBHOOK_SECRET: webhookSecret,
      KUBECONFIG: join(work.dir, 'kubeconfig'), TIDEWATER_HOST_GATEWAY: '10.88.0.1',
    };
    await run(join(repoRoot, 'scripts/build-image'), ['--tag', 'tidewater:dev'], { cwd: repoRoot, maxBuffer: 64 << 20, timeout: 40 * 60_000 });
    if (spawnSync('podman', ['image', 'exists', 'docker.io/library/redis:7.2']).status !== 0) {
      await podman(['build', ...flags, '--network=host', '-q', '-t', 'docker.io/library/redis:7.2', '-f', join(repoRoot, 'test/deploy/fixtures/redis-stand-in.Containerfile'), join(repoRoot, 'test/deploy/fixtures')]);
    }
    await compose(['up', '-d']);
  }, 45 * 60_000);

  afterAll(async () => {
    if (!env) return;
    // The project's named volumes and the anonymous ones of the image's VOLUMEs.
    const containers = (await podman(['ps', '-aq', '--filter', `label=io.podman.compose.project=${project}`]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    const anonymous = containers.length ? (await podman(['inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', ...containers])
      .catch(() => ({ stdout: '' }))).stdout.split(/\s+/).filter(Boolean) : [];
    await compose(['down']).catch(() => undefined);
    const named = (await podman(['volume', 'ls', '-q', '--filter', `label=io.podman.compose.project=${project}`]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    const volumes = [...new Set([...named, ...anonymous])];
    if (volumes.length) await podman(['volume', 'rm', '-f', ...volumes]).catch(() => undefined);
    await podman(['network', 'rm', '-f', `${project}_default`]).catch(() => undefined);
    work?.remove();
  }, 180_000);

  it('starts Redis and the seven services, and keeps them running', async () => {
    const names = async () => (await podman(['ps', '--filter', `label=io.podman.compose.project=${project}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();
    const expected = ['api', 'auditor', 'gateway', 'notifier', 'promoter', 'redis', 'renderer', 'syncer'].map((name) => `${project}_${name}_1`);
    await waitFor('every compose service to run', async () => JSON.stringify(await names()) === JSON.stringify(expected), { timeoutMs: 120_000, intervalMs: 1_000 })
      .catch(async (error: Error) => { throw new Error(`${error.message}: running ${(await names()).join(', ')}`); });
    for (const worker of ['renderer', 'syncer', 'notifier', 'promoter']) {
      await waitFor(`the ${worker} to start`, async () => {
        const { stdout, stderr } = await podman(['logs', `${project}_${worker}_1`]);
        return `${stdout}${stderr}`.includes(`"msg":"${worker} started"`);
      }, { timeoutMs: 90_000, intervalMs: 1_000 });
    }
  });

  it('answers on the published ports, and accepts a push signed with TIDEWATER_WEBHOOK_SECRET', async () => {
    await waitFor('gateway, auditor and api on 8080, 8081, 8083', async () => (await Promise.all(['http://127.0.0.1:8080/readyz', 'http://127.0.0.1:8081/healthz', 'http://127.0.0.1:8083/healthz']
      .map(async (url) => (await fetch(url).catch(() => undefined))?.status === 200))).every(Boolean), { timeoutMs: 90_000, intervalMs: 500 });
    const sha = randomBytes(20).toString('hex');
    const push = {
      cloneUrl: 'https://git.example.com/tidewater/gitops-repo.git', fullName: 'tidewater/gitops-repo', ref: 'refs/heads/main', before: '0'.repeat(40), after: sha,
      commits: [{ id: sha, message: 'compose', timestamp: new Date().toISOString(), author: { name: 'ops', email: 'ops@example.com' }, added: ['apps/plain-configs/app-settings.yaml'], removed: [], modified: [] }],
    };
    expect((await sendGithubPush('http://127.0.0.1:8080/webhooks/git/github', 'not-the-secret', push)).status).toBe(401);
    const accepted = await sendGithubPush('http://127.0.0.1:8080/webhooks/git/github', webhookSecret, push);
    expect(accepted.status, accepted.body).toBe(202);
  });
});
