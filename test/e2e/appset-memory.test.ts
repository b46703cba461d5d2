import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { rememberedApplicationSetsKey } from '@tidewater/queues';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startRedis, toolPath, waitFor, type RedisInstance } from '../harness/src/index.ts';

// ApplicationSet applicationsSync create-only / create-update: what a load-time set created is remembered in Redis,
// so a Tidewater process restarted after an element vanished still keeps (create-only) or keeps and updates
// (create-update) the Applications, as Argo CD keeps the Application objects it created. Restarted for real: the
// whole `tide all` process composition is closed and started again against the same Redis.

const listSet = (name: string, policy: string, elements: Array<[string, string]>) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: ${name}}
spec:
  generators: [{list: {elements: [${elements.map(([app, path]) => `{app: ${app}, path: ${path}}`).join(', ')}]}}]
  syncPolicy: {applicationsSync: ${policy}}
  template:
    metadata: {name: '{{app}}'}
    spec:
      project: default
      source: {repoURL: 'https://git.example.com/org/apps.git', targetRevision: main, path: 'apps/{{path}}'}
      destination: {server: 'https://kubernetes.default.svc', namespace: '{{app}}'}
---`;

describe('ApplicationSet create-only / create-update memory survives a restart', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let tidewater: RunningTidewater | undefined;
  const work = makeWorkDir('appset-memory');

  const configOf = (text: string): TidewaterConfig => {
    const built = buildConfig([{ file: 'sets.yaml', text }]);
    expect(built.errors).toEqual([]);
    return built.config;
  };
  const start = async (config: TidewaterConfig) => {
    tidewater = await startAll({
      redisUrl: redisServer.url, config: () => config, port: 0,
      cacheDir: join(work.dir, 'renderer-cache'), auditDir: join(work.dir, 'audit'), auditPort: 0,
      tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
      logger: createLogger('e2e', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'silent' }),
    });
    return tidewater;
  };
  const stop = async () => {
    await tidewater?.close();
    tidewater = undefined;
  };
  const applications = () => new Map((tidewater?.config?.().applications ?? []).map((application) => [application.metadata.name, application.spec.source.path]));

  const first = configOf(listSet('grow', 'create-only', [['delta', 'delta'], ['epsilon', 'epsilon']]) + listSet('tune', 'create-update', [['zeta', 'zeta'], ['eta', 'eta']]));
  // epsilon and eta vanished from the generators; zeta now takes apps/zeta-v2; delta is unchanged.
  const second = configOf(listSet('grow', 'create-only', [['delta', 'delta']]) + listSet('tune', 'create-update', [['zeta', 'zeta-v2']]));

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
  });
  afterAll(async () => {
    await stop();
    redis?.disconnect();
    await redisServer?.stop();
    work.remove();
  });

  it('a restarted process keeps what create-only and create-update keep, from the memory in Redis', async () => {
    await start(first);
    expect([...applications().keys()].sort()).toEqual(['delta', 'epsilon', 'eta', 'zeta']);
    await waitFor('both sets remembered', async () => (await redis.hlen(rememberedApplicationSetsKey)) === 2, { timeoutMs: 30_000 });
    await stop();

    // The process restarts with the elements gone: the memory, not the process, says what was created.
    await start(second);
    expect(Object.fromEntries(applications())).toEqual({ delta: 'apps/delta', epsilon: 'apps/epsilon', zeta: 'apps/zeta-v2', eta: 'apps/eta' });
    // The memory now holds the kept set (create-update's update included).
    await waitFor('memory updated', async () => {
      const tune = JSON.parse((await redis.hget(rememberedApplicationSetsKey, 'tune')) ?? '{}') as { applications?: Array<{ spec: { source: { path: string } } }> };
      return tune.applications?.some((application) => application.spec.source.path === 'apps/zeta-v2') ? true : undefined;
    }, { timeoutMs: 30_000 });
    await stop();

    // And it is what makes the difference: with the memory gone, a restart starts from the generators' output.
    await redis.del(rememberedApplicationSetsKey);
    await start(second);
    expect([...applications().keys()].sort()).toEqual(['delta', 'zeta']);
    await stop();
  }, 180_000);

  it('an ApplicationSet that leaves the configuration is forgotten', async () => {
    await start(second);
    await waitFor('grow remembered', async () => (await redis.hexists(rememberedApplicationSetsKey, 'grow')) === 1, { timeoutMs: 30_000 });
    await stop();
    await start(configOf(listSet('tune', 'create-update', [['zeta', 'zeta-v2']])));
    await waitFor('grow forgotten', async () => (await redis.hexists(rememberedApplicationSetsKey, 'grow')) === 0, { timeoutMs: 30_000 });
    expect([...applications().keys()].sort()).toEqual(['zeta']);
  }, 120_000);
});
