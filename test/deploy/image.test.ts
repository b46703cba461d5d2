// The OCI image, built from the Dockerfile by scripts/build-image (podman here: no Docker engine) and run for real:
// helm and kustomize inside, the non-root user and its writable volumes, no dev dependencies, services that start.
// Skipped where podman is missing (scripts/setup --no-image).
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, repoRoot, startRedis, toolVersions, waitFor, type RedisInstance } from '../harness/src/index.ts';

const run = promisify(execFile);
const hasPodman = spawnSync('podman', ['--version']).status === 0;
const image = 'localhost/tidewater:test';

describe.skipIf(!hasPodman)('the image (Dockerfile, built and run with podman)', () => {
  let runFlags: string[] = [];
  let redis: RedisInstance;
  const containers: string[] = [];
  const podman = (args: string[], timeout = 120_000) => run('podman', args, { maxBuffer: 16 << 20, timeout });
  const inImage = async (command: string[], extra: string[] = []) => (await podman(['run', '--rm', ...runFlags, ...extra, image, ...command])).stdout.trim();

  beforeAll(async () => {
    // Warm, this is seconds (every layer cached); cold it builds helm and kustomize (docs/operating.md has times).
    await run(join(repoRoot, 'scripts/build-image'), ['--tag', image], { cwd: repoRoot, maxBuffer: 64 << 20, timeout: 40 * 60_000 });
    runFlags = (await run(join(repoRoot, 'scripts/build-image'), ['--print-run-flags'])).stdout.split('\n').filter(Boolean);
    redis = await startRedis();
  }, 41 * 60_000);
  afterAll(async () => {
    for (const name of containers) await podman(['rm', '-f', '-v', '-t', '2', name]).catch(() => undefined);
    await redis?.stop();
  });

  it('carries helm and kustomize at the pinned versions', async () => {
    const versions = toolVersions();
    expect(await inImage(['helm', 'version', '--short'])).toContain(versions.HELM_VERSION);
    expect(await inImage(['kustomize', 'version'])).toContain(versions.KUSTOMIZE_VERSION);
    expect(await inImage(['git', '--version'])).toMatch(/^git version /);
  });

  it('renders Kustomize and Helm sources as its non-root user (what the renderer runs)', async () => {
    const examples = ['-v', `${join(repoRoot, 'examples/gitops-repo')}:/examples:ro`];
    expect(await inImage(['kustomize', 'build', '/examples/apps/guestbook/overlays/dev'], examples)).toMatch(/kind: Deployment[\s\S]*name: dev-guestbook/);
    expect(await inImage(['helm', 'template', 'podinfo', '/examples/charts/podinfo-lite'], examples)).toContain('kind: Deployment');
  });

  it('runs as a non-root user with a home, its cache and state on declared volumes it can write', async () => {
    expect(await inImage(['id', '-u'])).toBe('10001');
    expect(await inImage(['sh', '-c', 'echo $HOME && touch $HOME/.probe && touch $TIDEWATER_CACHE_DIR/probe $TIDEWATER_PROMOTER_CACHE_DIR/probe $TIDEWATER_AUDIT_DIR/probe $TIDEWATER_STATE_DIR/probe && echo writable']))
      .toBe('/home/tidewater\nwritable');
    const [config] = JSON.parse((await podman(['image', 'inspect', image])).stdout) as Array<{ Config: { Volumes?: Record<string, unknown>; User?: string; Cmd?: string[] } }>;
    expect(Object.keys(config.Config.Volumes ?? {}).sort()).toEqual(['/var/cache/tidewater', '/var/lib/tidewater']);
    expect(config.Config.User).toBe('10001:10001');
    expect(config.Config.Cmd).toEqual(['node', 'services/tide/src/main.ts', 'all']);
  });

  it('holds production dependencies only: no test harness, no dev tools, no tests', async () => {
    const listing = (await inImage(['sh', '-c', 'ls /app; ls /app/node_modules /app/node_modules/@tidewater; find /app/services /app/shared -name "*.test.ts" | head -3'])).split('\n');
    for (const absent of ['test', 'bench', 'vitest', 'typescript', 'testcontainers', 'harness', 'turbo', 'fast-check']) expect(listing, absent).not.toContain(absent);
    expect(listing).toContain('services');
    expect(listing).toContain('bullmq');
    expect(listing.some((line) => line.endsWith('.test.ts'))).toBe(false);
  });

  it('starts a worker and the gateway from the image against Redis on the host', async () => {
    const port = await freePort();
    const common = ['--network=host', '-v', `${join(repoRoot, 'examples/gitops-repo/tidewater')}:/config:ro`, '-e', `REDIS_URL=${redis.url}`, '-e', 'TIDEWATER_CONFIG=/config', '-e', 'TIDEWATER_LOG_FORMAT=json'];
    const renderer = `tidewater-test-renderer-${process.pid}`;
    const gateway = `tidewater-test-gateway-${process.pid}`;
    containers.push(renderer, gateway);
    await podman(['run', '-d', '--name', renderer, ...runFlags, ...common, '-e', `TIDEWATER_BUNDLE_KEY=${randomBytes(32).toString('hex')}`, image, 'node', 'services/renderer/src/main.ts']);
    await podman(['run', '-d', '--name', gateway, ...runFlags, ...common, '-e', `PORT=${port}`, image, 'node', 'services/gateway/src/main.ts']);
    const logsOf = async (name: string) => { const { stdout, stderr } = await podman(['logs', name]); return `${stdout}${stderr}`; };
    await waitFor('the renderer in the image to start', async () => (await logsOf(renderer)).includes('"msg":"renderer started"'), { timeoutMs: 90_000, intervalMs: 500 })
      .catch(async (error: Error) => { throw new Error(`${error.message}\n${await logsOf(renderer)}`); });
    expect(await logsOf(renderer)).toContain('"cacheDir":"/var/cache/tidewater/renderer"');
    await waitFor('the gateway in the image to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 90_000, intervalMs: 500 })
      .catch(async (error: Error) => { throw new Error(`${error.message}\n${await logsOf(gateway)}`); });
  });
});
