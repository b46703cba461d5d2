import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createProducers, createRedisConnection, jobIds, queueNames, redisKeys, type Producers, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startGitServer, startRedis, waitFor, type GitServer, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { createLsRemoteHeadResolver } from './ls-remote-head.ts';
import { createReconcileLoop } from './reconcile-loop.ts';

let redisServer: RedisInstance;
let gitServer: GitServer;
let redis: Redis;
let producers: Producers;
let renderQueue: Queue;
const config: TidewaterConfig = { applications: [], projects: [], repositories: [], clusters: [], otherDocuments: [], warnings: [] };
const logger = createLogger('reconcile-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
  redis = createRedisConnection(redisServer.url, 'worker');
  producers = createProducers({ connection: redis });
  renderQueue = new Queue(queueNames.render, { connection: redis });
});

afterAll(async () => {
  await renderQueue?.close();
  await producers?.close();
  await redis?.quit();
  await Promise.all([redisServer?.stop(), gitServer?.stop()]);
});

function defineApp(name: string, repoURL: string, options: { automated?: boolean; targetRevision?: string } = {}): ArgoApplication {
  const application: ArgoApplication = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: options.targetRevision ?? 'main', path: '.' },
      destination: { name: 'in-cluster', namespace: name },
      ...(options.automated === false ? {} : { syncPolicy: { automated: { prune: true } } }),
    },
  };
  config.applications.push(application);
  return application;
}

async function markSynced(app: string, revision: string) {
  const result: SyncResult = { app, revision, phase: 'Succeeded', startedAt: '', finishedAt: '', durationMs: 0, objects: [] };
  await redis.set(redisKeys.syncStatus(app), JSON.stringify(result));
}

const loopDeps = (resolveHead: (application: ArgoApplication) => Promise<string>) => ({
  config: () => config, redis, producers, logger, resolveHead, events: createEventPublisher({ redis, source: '/tidewater/syncer' }),
});

describe('periodic reconcile', () => {
  it('picks up a commit whose webhook never arrived, using git ls-remote of the branch head', async () => {
    const repo = gitServer.createRepo('missed');
    const first = await repo.commit({ 'app/config.yaml': 'a: 1\n' }, 'first');
    defineApp('missed', repo.url);
    await markSynced('missed', first.sha);
    const second = await repo.commit({ 'app/config.yaml': 'a: 2\n' }, 'second (no webhook delivered)');

    const loop = createReconcileLoop({ ...loopDeps(createLsRemoteHeadResolver()), intervalMs: 200, jitterMs: 100 });
    loop.start();
    try {
      const job = await waitFor('a render job of the missed commit', () => renderQueue.getJob(jobIds.render('missed', second.sha)));
      expect(job.data).toMatchObject({ app: 'missed', revision: second.sha, targetRevision: 'main', trigger: { kind: 'reconcile' } });
      const started = await waitFor('reconcileStarted', async () =>
        (await readAllEvents(redis)).find((event) => event.type === eventTypes.reconcileStarted && event.data.app === 'missed'));
      expect(started.data).toMatchObject({ app: 'missed', revision: second.sha, previous: first.sha });
      expect(JSON.parse((await redis.get(redisKeys.desiredRevision('missed')))!).revision).toBe(second.sha);
    } finally {
      await loop.close();
    }
    // Asked again while that render is pending: no second request, no second event.
    const again = await createReconcileLoop(loopDeps(createLsRemoteHeadResolver())).runOnce();
    expect(again.find((outcome) => outcome.app === 'missed')).toEqual({ app: 'missed', result: 'in-flight', revision: second.sha });
    expect((await readAllEvents(redis)).filter((event) => event.type === eventTypes.reconcileStarted && event.data.app === 'missed')).toHaveLength(1);
  });

  it('leaves paused, manually synced and up-to-date applications alone, and survives a head it cannot resolve', async () => {
    const head = 'e'.repeat(40);
    defineApp('paused', 'https://git.example.com/team/paused.git');
    await redis.set(redisKeys.paused('paused'), JSON.stringify({ revision: 'f'.repeat(40), by: 'alice', at: new Date().toISOString(), reason: 'rollback' }));
    defineApp('manual', 'https://git.example.com/team/manual.git', { automated: false });
    defineApp('current', 'https://git.example.com/team/current.git');
    await markSynced('current', head);
    defineApp('broken', 'https://git.example.com/team/broken.git');

    const asked: string[] = [];
    const outcomes = await createReconcileLoop(loopDeps(async (application) => {
      asked.push(application.metadata.name);
      if (application.metadata.name === 'broken') throw new Error('repository not found');
      return head;
    })).runOnce();

    const byApp = Object.fromEntries(outcomes.map((outcome) => [outcome.app, outcome]));
    expect(byApp.paused).toEqual({ app: 'paused', result: 'skipped', reason: 'paused' });
    expect(byApp.manual).toEqual({ app: 'manual', result: 'skipped', reason: 'manual sync' });
    expect(byApp.current).toEqual({ app: 'current', result: 'up-to-date', revision: head });
    expect(byApp.broken).toEqual({ app: 'broken', result: 'error', reason: 'repository not found' });
    expect(asked).not.toContain('paused');
    expect(asked).not.toContain('manual');
    for (const app of ['paused', 'manual', 'current']) expect(await renderQueue.getJob(jobIds.render(app, head))).toBeUndefined();
  });
});

describe('git ls-remote head resolver', () => {
  it('resolves branches and tags, returns commit SHAs as they are, and classifies failures', async () => {
    const repo = gitServer.createRepo('heads');
    const main = await repo.commit({ 'a.txt': 'a\n' }, 'on main');
    const release = await repo.commit({ 'b.txt': 'b\n' }, 'on release', { branch: 'release' });
    const resolve = createLsRemoteHeadResolver({ timeoutMs: 10_000 });
    const app = (repoURL: string, targetRevision: string) => ({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x' },
      spec: { project: 'default', source: { repoURL, targetRevision, path: '.' }, destination: { name: 'in-cluster' } },
    }) as ArgoApplication;

    expect(await resolve(app(repo.url, 'main'))).toBe(main.sha);
    expect(await resolve(app(repo.url, 'release'))).toBe(release.sha);
    expect(await resolve(app(repo.url, 'A'.repeat(40)))).toBe('a'.repeat(40));
    await expect(resolve(app(repo.url, 'nope'))).rejects.toThrow(/has no branch or tag nope/);
    const unreachable = await resolve(app('git://127.0.0.1:1/gone.git', 'main')).catch((error: unknown) => error);
    expect(unreachable).toBeInstanceOf(ExternalServiceError);
    const withCredentials = await resolve(app('https://robot:s3cret@127.0.0.1:1/private.git', 'main')).then(() => new Error('resolved'), (error: Error) => error);
    expect(withCredentials.message).not.toContain('s3cret');
  });
});
