import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, makeWorkDir, repoRoot, startRedis, waitFor, type RedisInstance } from '../harness/src/index.ts';

const run = promisify(execFile);
// A new shell: the system's PATH (its older Node first), nothing sourced.
const systemPath = '/usr/local/bin:/usr/bin:/bin';
const plainEnv = (extra: Record<string, string> = {}) => ({ HOME: process.env.HOME ?? '/root', PATH: systemPath, ...extra });

async function exitOf(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolveExit) => child.on('exit', resolveExit));
  return { code, stderr, stdout };
}

/** The keys of a JSON object's top level, repeated ones included, in order. */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      let end = index + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && text[end + 1] === ':') keys.push(JSON.parse(text.slice(index, end + 1)) as string);
      index = end;
    } else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
  }
  return keys;
}

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return { port: (server.address() as { port: number }).port, server };
}

describe('a plain shell', () => {
  it('has an older system Node (what this test guards against)', async () => {
    const { stdout } = await run('node', ['--version'], { env: plainEnv() });
    expect(Number(/^v(\d+)/.exec(stdout)?.[1])).toBeLessThan(24);
  });

  it('runs npm run bench (the listing) without sourcing scripts/node-env', async () => {
    const { stdout } = await run('npm', ['run', 'bench'], { cwd: repoRoot, env: plainEnv(), maxBuffer: 4 << 20 });
    expect(stdout).toMatch(/latency\s+git push/);
  });

  it('runs npm test -- --help on the project Node', async () => {
    const { stdout } = await run('npm', ['test', '--', '--help'], { cwd: repoRoot, env: plainEnv(), maxBuffer: 4 << 20 });
    expect(stdout).toContain('vitest');
  });

  it('runs the tide launcher (the workspace bin) and npm run tide', async () => {
    const bin = (JSON.parse(readFileSync(join(repoRoot, 'services/tide/package.json'), 'utf8')) as { bin: Record<string, string> }).bin.tide;
    const { stdout } = await run(join(repoRoot, 'services/tide', bin), ['--help'], { cwd: repoRoot, env: plainEnv() });
    expect(stdout).toContain('Usage: tide');
    const viaNpm = await run('npm', ['run', '--silent', 'tide', '--', '--help'], { cwd: repoRoot, env: plainEnv() });
    expect(viaNpm.stdout).toContain('Usage: tide');
  });

  it('logs human-readable lines on a terminal and JSON through a pipe', async () => {
    const fixture = 'test/deploy/fixtures/log-line.ts';
    const piped = await run(join(repoRoot, 'scripts/with-node'), ['node', fixture], { cwd: repoRoot, env: plainEnv() });
    const record = JSON.parse(piped.stdout.trim()) as Record<string, unknown>;
    expect(record).toMatchObject({ msg: 'render finished', app: 'guestbook', service: 'demo' });
    // script(1) gives the process a real terminal.
    const terminal = await run('script', ['-qec', `scripts/with-node node ${fixture}`, '/dev/null'], { cwd: repoRoot, env: plainEnv() });
    const text = terminal.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toMatch(/INFO.*render finished/);
    expect(text).toContain('app: "guestbook"');
    expect(text).not.toContain('{"level"');
  });
});

describe('a port clash names the setting to change', () => {
  let redis: RedisInstance;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('a worker on a busy METRICS_PORT', async () => {
    const { port, server } = await busyPort();
    try {
      const result = await exitOf(join(repoRoot, 'scripts/with-node'), ['node', 'services/renderer/src/main.ts'], plainEnv({
        TIDEWATER_CONFIG: join(repoRoot, 'examples/gitops-repo/tidewater'), TIDEWATER_BUNDLE_KEY: 'a'.repeat(64), METRICS_PORT: String(port), REDIS_URL: redis.url,
      }));
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`renderer: port ${port} on 127.0.0.1 is already in use: set METRICS_PORT to a free port`);
    } finally { server.close(); }
  });

  for (const service of ['gateway', 'auditor', 'api'] as const) {
    it(`the ${service} on a busy PORT`, async () => {
      const { port, server } = await busyPort();
      const work = makeWorkDir(`port-clash-${service}`);
      try {
        const result = await exitOf(join(repoRoot, 'scripts/with-node'), ['node', `services/${service}/src/main.ts`], plainEnv({
          PORT: String(port), REDIS_URL: redis.url, TIDEWATER_CONFIG: join(repoRoot, 'examples/gitops-repo/tidewater'),
          TIDEWATER_AUDIT_DIR: join(work.dir, 'audit'), TIDEWATER_STATE_DIR: join(work.dir, 'state'), TIDEWATER_LOG_FORMAT: 'json',
        }));
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`${service}: port ${port} on 127.0.0.1 is already in use: set PORT to a free port`);
      } finally { server.close(); work.remove(); }
    });
  }

  for (const variable of ['PORT', 'AUDIT_PORT', 'API_PORT', 'METRICS_PORT'] as const) {
    it(`tide all on a busy ${variable}`, async () => {
      const { port, server } = await busyPort();
      const work = makeWorkDir(`port-clash-${variable}`);
      try {
        const ports = { PORT: '0', AUDIT_PORT: '0', API_PORT: '0', [variable]: String(port) };
        const result = await exitOf(join(repoRoot, 'services/tide/bin/tide'), ['all'], plainEnv({
          ...ports, REDIS_URL: redis.url, TIDEWATER_CONFIG: join(repoRoot, 'examples/gitops-repo/tidewater'),
          TIDEWATER_CACHE_DIR: join(work.dir, 'cache'), TIDEWATER_AUDIT_DIR: join(work.dir, 'audit'), TIDEWATER_STATE_DIR: join(work.dir, 'state'),
          TIDEWATER_LOG_FORMAT: 'json',
        }));
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`tide all: port ${port} on 127.0.0.1 is already in use: set ${variable} to a free port`);
      } finally { server.close(); work.remove(); }
    });
  }

  it('tide all logs JSON lines with each key once (every service through its own logger)', async () => {
    const work = makeWorkDir('log-keys');
    try {
      const child = spawn(join(repoRoot, 'services/tide/bin/tide'), ['all'], {
        cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
        env: plainEnv({
          PORT: '0', AUDIT_PORT: '0', API_PORT: '0', REDIS_URL: redis.url, TIDEWATER_CONFIG: join(repoRoot, 'examples/gitops-repo/tidewater'),
          TIDEWATER_CACHE_DIR: join(work.dir, 'cache'), TIDEWATER_AUDIT_DIR: join(work.dir, 'audit'), TIDEWATER_STATE_DIR: join(work.dir, 'state'),
          TIDEWATER_LOG_FORMAT: 'json', TIDEWATER_RECONCILE_INTERVAL_MS: '600000',
        }),
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      const exited = new Promise((resolveExit) => child.on('exit', resolveExit));
      await waitFor('tide all to run', () => stdout.includes('"msg":"tidewater running"'), { timeoutMs: 60_000, intervalMs: 100 });
      child.kill('SIGTERM');
      await exited;
      const lines = stdout.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) {
        // Top-level keys in order of appearance: JSON.parse would silently keep the last of a repeated one.
        const keys = topLevelKeys(line);
        expect(keys.length, line).toBe(new Set(keys).size);
        expect(Object.keys(JSON.parse(line) as object).length, line).toBe(keys.length);
      }
      expect(lines.map((line) => (JSON.parse(line) as { service?: string }).service)).toContain('tide');
    } finally { work.remove(); }
  });

  it('tide all sends the API\'s audit queries to AUDITOR_URL when it is set', async () => {
    const work = makeWorkDir('auditor-url');
    // Its own Redis: the admin password file counts only where no admin was made yet (other tide all tests made one).
    const ownRedis = await startRedis();
    const seen: string[] = [];
    const stubAuditor = createHttpServer((request, response) => {
      seen.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events: [], next: null, from: 'stub-auditor' }));
    });
    await new Promise<void>((resolveListen) => stubAuditor.listen(0, '127.0.0.1', resolveListen));
    const apiPort = await freePort();
    writeFileSync(join(work.dir, 'admin-password'), 'stub-admin-password-1', { mode: 0o600 });
    const child = spawn(join(repoRoot, 'services/tide/bin/tide'), ['all'], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
      env: plainEnv({
        PORT: '0', AUDIT_PORT: '0', API_PORT: String(apiPort), REDIS_URL: ownRedis.url, TIDEWATER_CONFIG: join(repoRoot, 'examples/gitops-repo/tidewater'),
        TIDEWATER_CACHE_DIR: join(work.dir, 'cache'), TIDEWATER_AUDIT_DIR: join(work.dir, 'audit'), TIDEWATER_STATE_DIR: join(work.dir, 'state'),
        TIDEWATER_LOG_FORMAT: 'json', TIDEWATER_SECRET_DIRS: work.dir, TIDEWATER_ADMIN_PASSWORD_FILE: join(work.dir, 'admin-password'),
        AUDITOR_URL: `http://127.0.0.1:${(stubAuditor.address() as { port: number }).port}`,
      }),
    });
    const exited = new Promise((resolveExit) => child.on('exit', resolveExit));
    try {
      const api = `http://127.0.0.1:${apiPort}`;
      await waitFor('the API of tide all', async () => (await fetch(`${api}/healthz`).catch(() => undefined))?.ok === true, { timeoutMs: 60_000, intervalMs: 200 });
      const login = await fetch(`${api}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'stub-admin-password-1' }) });
      expect(login.status).toBe(200);
      const { token } = await login.json() as { token: string };
      const audit = await fetch(`${api}/api/v1/audit/events?limit=5`, { headers: { authorization: `Bearer ${token}` } });
      expect(audit.status).toBe(200);
      expect(seen.some((url) => url.startsWith('/audit/events'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited;
      stubAuditor.close();
      await ownRedis.stop();
      work.remove();
    }
  });

  it('tide all reads the services\' own knobs (a bad value is refused naming it)', async () => {
    for (const [variable, expected] of [['SYNC_CONCURRENCY', 'SYNC_CONCURRENCY must be a whole number from 1 to 256'],
      ['TIDEWATER_RENDER_CONCURRENCY', 'TIDEWATER_RENDER_CONCURRENCY must be a whole number from 1 to 256'],
      ['TIDEWATER_AUDIT_BATCH_SIZE', 'TIDEWATER_AUDIT_BATCH_SIZE']] as const) {
      const work = makeWorkDir(`knob-${variable}`);
      try {
        const result = await exitOf(join(repoRoot, 'services/tide/bin/tide'), ['all'], plainEnv({
          PORT: '0', AUDIT_PORT: '0', API_PORT: '0', REDIS_URL: redis.url, TIDEWATER_CONFIG: join(repoRoot, 'examples/gitops-repo/tidewater'),
          TIDEWATER_CACHE_DIR: join(work.dir, 'cache'), TIDEWATER_AUDIT_DIR: join(work.dir, 'audit'), TIDEWATER_STATE_DIR: join(work.dir, 'state'),
          TIDEWATER_LOG_FORMAT: 'json', [variable]: '0',
        }));
        expect(result.code, variable).not.toBe(0);
        expect(result.stderr, variable).toContain(expected);
      } finally { work.remove(); }
    }
  });
});
