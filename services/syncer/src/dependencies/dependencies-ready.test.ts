import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createRedisConnection, redisKeys, type AppHealth, type SyncResult } from '@tidewater/queues';
import { startRedis, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { pendingDependencies } from './dependencies-ready.ts';

// The dependsOn gate per the dependency's Flux readiness rule, against real Redis (the keys the syncer writes).

let redisServer: RedisInstance;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = createRedisConnection(redisServer.url, 'worker');
});
afterAll(async () => {
  await redis?.quit();
  await redisServer?.stop();
});

let counter = 0;

/** A dependency Kustomization (`dep-N`, with `extra` spec fields) and its dependent (`user-N`). */
function configWith(extra: string): { config: TidewaterConfig; dependency: string; dependent: string } {
  counter += 1;
  const dependency = `dep-${counter}`;
  const dependent = `user-${counter}`;
  const text = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: apps, namespace: flux-system}
spec: {url: 'https://git.example/apps.git', ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${dependency}, namespace: flux-system}
spec: {path: ./a, prune: true, sourceRef: {kind: GitRepository, name: apps}${extra}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${dependent}, namespace: flux-system}
spec: {path: ./b, prune: true, dependsOn: [{name: ${dependency}}], sourceRef: {kind: GitRepository, name: apps}}
`;
  const { config, errors } = buildConfig([{ file: 'flux.yaml', text }]);
  expect(errors).toEqual([]);
  return { config, dependency, dependent };
}

async function synced(app: string, revision: string, phase: SyncResult['phase'] = 'Succeeded') {
  const result: SyncResult = {
    app, revision, phase, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 1, objects: [], trigger: { kind: 'webhook' },
  };
  await redis.set(redisKeys.syncStatus(app), JSON.stringify(result));
}
async function health(app: string, revision: string, status: AppHealth['status']) {
  await redis.set(redisKeys.appHealth(app), JSON.stringify({ app, revision, status, objects: [], updatedAt: new Date().toISOString() }));
}
const desired = (app: string, revision: string) => redis.set(redisKeys.desiredRevision(app), JSON.stringify({ revision, at: new Date().toISOString() }));
const gate = (config: TidewaterConfig, dependent: string) =>
  pendingDependencies(redis, config, config.applications.find((application) => application.metadata.name === dependent)!);

describe('dependsOn gate and Flux readiness', () => {
  it('wait: false (the default) — Ready once the last sync Succeeded, whatever the live health', async () => {
    const { config, dependency, dependent } = configWith('');
    expect((await gate(config, dependent))?.waitingFor).toEqual([{ app: dependency, reason: 'not synced yet' }]);
    await synced(dependency, 'r1');
    await health(dependency, 'r1', 'Progressing');
    expect(await gate(config, dependent)).toBeUndefined();
  });

  it('wait: true — Ready only while the live state is Healthy at the synced revision', async () => {
    const { config, dependency, dependent } = configWith(', wait: true');
    await synced(dependency, 'r1');
    await health(dependency, 'r1', 'Progressing');
    expect((await gate(config, dependent))?.waitingFor).toEqual([{ app: dependency, reason: 'health Progressing' }]);
    await health(dependency, 'r1', 'Healthy');
    expect(await gate(config, dependent)).toBeUndefined();
  });

  it('a failed health check (sync Failed) or a newer desired revision not yet applied holds the dependent', async () => {
    const { config, dependency, dependent } = configWith(', healthChecks: [{apiVersion: apps/v1, kind: Deployment, name: web}]');
    await synced(dependency, 'r1', 'Failed');
    expect((await gate(config, dependent))?.waitingFor).toEqual([{ app: dependency, reason: 'last sync Failed' }]);
    await synced(dependency, 'r1');
    expect(await gate(config, dependent)).toBeUndefined();
    await desired(dependency, 'r2');
    expect((await gate(config, dependent))?.waitingFor).toEqual([{ app: dependency, reason: 'revision r2 not applied and ready yet' }]);
    await synced(dependency, 'r2');
    expect(await gate(config, dependent)).toBeUndefined();
  });
});
