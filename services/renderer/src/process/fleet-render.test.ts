import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createProducers, createRedisConnection, generateBundleSigningKey, type Producers, type RenderedBundle } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startGitServer, startRedis, toolPath, type GitRepo, type GitServer, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { createSharedTrees } from '../git/shared-trees.ts';
import { processRenderJob, type RenderJobContext } from './process-render-job.ts';
import type { RendererDeps } from './renderer-deps.ts';

// Fleet-scale rendering against a real git server and kustomize: renders of one commit share one checkout, an
// app whose source paths did not change between commits reuses its bundle (no checkout, no tool), and a repository
// too large for the cache volume fails with both sizes named.

const apps = ['alpha', 'beta', 'gamma'];
const kustomizeApp = (name: string, value: string) => ({
  [`apps/${name}/kustomization.yaml`]: 'resources: [configmap.yaml]\n',
  [`apps/${name}/configmap.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`,
});
const applicationYaml = (name: string, repoURL: string) => `---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
  project: default
  source: {repoURL: ${repoURL}, targetRevision: main, path: apps/${name}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;

describe('rendering a fleet of applications from one repository', () => {
  let redisServer: RedisInstance;
  let gitServer: GitServer;
  let repo: GitRepo;
  let redis: Redis;
  let producerRedis: Redis;
  let producers: Producers;
  let config: TidewaterConfig;
  const work = makeWorkDir('fleet-render');
  const materialised: string[] = [];
  const bundleSigningKey = generateBundleSigningKey();

  beforeAll(async () => {
    [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
    repo = gitServer.createRepo('team/fleet');
    await repo.commit(Object.assign({}, ...apps.map((app) => kustomizeApp(app, 'one')), { 'big/blob.txt': 'x'.repeat(8 * 1024 * 1024) }), 'three apps and a big file');
    const configDir = join(work.dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'apps.yaml'), apps.map((app) => applicationYaml(app, repo.url)).join(''));
    config = await loadConfigDir(configDir);
    redis = createRedisConnection(redisServer.url, 'worker');
    producerRedis = createRedisConnection(redisServer.url, 'producer', { lazyConnect: true });
    await producerRedis.connect();
    producers = createProducers({ connection: producerRedis });
  });

  afterAll(async () => {
    await producers?.close();
    redis?.disconnect();
    producerRedis?.disconnect();
    await Promise.all([redisServer?.stop(), gitServer?.stop()]);
    work.remove();
  });

  const depsFor = (cacheDir: string): RendererDeps => {
    const trees = createSharedTrees({ cacheDir });
    return {
      config: () => config, redis, producers,
      events: createEventPublisher({ redis, source: '/tidewater/renderer' }),
      logger: createLogger('fleet-render-test', { level: 'silent' }),
      cacheDir,
      tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
      bundleSigningKey,
      sharedTrees: {
        acquire: (input) => trees.acquire({ ...input, materialise: (dir) => {
          materialised.push(input.revision);
          return input.materialise(dir);
        } }),
        clear: () => trees.clear(),
      },
    };
  };
  const job = (app: string, revision: string): RenderJobContext => ({
    id: `render:${app}:${revision}`,
    data: { app, repoURL: repo.url, revision, targetRevision: 'main', trigger: { kind: 'reconcile', receivedAt: new Date().toISOString() }, trace: {} },
    attemptsMade: 0,
    opts: { attempts: 1 },
  });
  const bundleOf = async (bundleKey: string) => JSON.parse((await redis.get(bundleKey))!) as RenderedBundle;

  it('checks a commit out once for all its renders, and after a push re-renders only the app whose files changed', async () => {
    const deps = depsFor(join(work.dir, 'cache'));
    const first = repo.head();
    const results = await Promise.all(apps.map((app) => processRenderJob(job(app, first), deps)));
    expect(results.map((result) => !result.superseded && result.cached)).toEqual([false, false, false]);
    expect(materialised).toEqual([first]);
    expect(readdirSync(join(work.dir, 'cache', 'trees')).filter((name) => !name.includes('.partial-'))).toHaveLength(1);

    const second = (await repo.commit(kustomizeApp('beta', 'two'), 'change beta only')).sha;
    const after = await Promise.all(apps.map((app) => processRenderJob(job(app, second), deps)));
    const byApp = Object.fromEntries(after.map((result, index) => [apps[index], result]));
    expect(byApp.alpha).toMatchObject({ cached: true });
    expect(byApp.gamma).toMatchObject({ cached: true });
    expect(byApp.beta).toMatchObject({ cached: false });
    expect(materialised).toEqual([first, second]); // the one re-render checked out the new commit once

    for (const app of apps) {
      const result = after[apps.indexOf(app)];
      if (result.superseded) throw new Error('superseded');
      const bundle = await bundleOf(result.bundleKey);
      expect(bundle.revision).toBe(second);
      expect(bundle.objects[0].data).toEqual({ value: app === 'beta' ? 'two' : 'one' });
    }
  });

  it('fails a render whose commit does not fit on the cache volume, naming the sizes', async (context) => {
    const volume = join(work.dir, 'small-volume');
    mkdirSync(volume);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', volume], { stdio: 'ignore' });
    } catch {
      context.skip(); // no permission to mount a small volume here
    }
    await redis.flushall(); // no cached bundle: the render must reach git
    try {
      const failure = await processRenderJob(job('alpha', repo.head()), depsFor(volume)).then(() => undefined, (error: unknown) => error as Error);
      expect(failure?.name).toBe('UnrecoverableError');
      expect(failure?.message).toMatch(new RegExp(`^repository ${repo.url} commit ${repo.head()} needs 8\\.0 MiB to check out, but the renderer's cache volume has [0-9.]+ MiB free`));
      expect(existsSync(join(volume, 'trees'))).toBe(true);
      expect(readdirSync(join(volume, 'trees'))).toEqual([]); // the partial tree was removed
    } finally {
      execFileSync('umount', [volume], { stdio: 'ignore' });
    }
  });

  it('does not reuse a bundle at a commit that holds a symlink anywhere: the commit is checked out and its sandbox walk refuses it', async () => {
    const deps = depsFor(join(work.dir, 'cache-symlink'));
    const clean = repo.head();
    expect(await processRenderJob(job('alpha', clean), deps)).toMatchObject({ cached: false });
    const tree = makeWorkDir('fleet-symlink');
    try {
      symlinkSync('/etc/passwd', join(tree.dir, 'passwd.yaml'));
      const hostile = (await repo.commitDirectory(tree.dir, 'a symlink out of the repository, outside every app', { prefix: 'elsewhere' })).sha;
      const failure = await processRenderJob(job('alpha', hostile), deps).then(() => undefined, (error: unknown) => error as Error);
      expect(failure?.name).toBe('UnrecoverableError');
      expect(failure?.message).toContain('elsewhere/passwd.yaml is a symlink that point outside the repository; the render is refused');
    } finally {
      tree.remove();
    }
  });
});
