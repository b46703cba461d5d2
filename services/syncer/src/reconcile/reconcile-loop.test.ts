import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createProducers, createRedisConnection, jobIds, queueNames, redisKeys, type AppComparison, type Producers, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startGitServer, startRedis, waitFor, type GitServer, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { createReconcileLoop } from './reconcile-loop.ts';

let redisServer: RedisInstance;
let gitServer: GitServer;
let redis: Redis;
let producers: Producers;
let renderQueue: Queue;
let syncQueue: Queue;
let config: TidewaterConfig = { applications: [], projects: [], repositories: [], clusters: [], otherDocuments: [], warnings: [] };
const logger = createLogger('reconcile-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
  redis = createRedisConnection(redisServer.url, 'worker');
  producers = createProducers({ connection: redis });
  renderQueue = new Queue(queueNames.render, { connection: redis });
  syncQueue = new Queue(queueNames.sync, { connection: redis });
});

afterAll(async () => {
  await Promise.all([renderQueue?.close(), syncQueue?.close()]);
  await producers?.close();
  await redis?.quit();
  await Promise.all([redisServer?.stop(), gitServer?.stop()]);
});

function application(name: string, repoURL: string, options: { automated?: boolean; targetRevision?: string } = {}): ArgoApplication {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: options.targetRevision ?? 'main', path: '.' },
      destination: { name: 'in-cluster', namespace: name },
      ...(options.automated === false ? {} : { syncPolicy: { automated: { prune: true } } }),
    },
  };
}

function defineApp(name: string, repoURL: string, options: { automated?: boolean; targetRevision?: string } = {}): ArgoApplication {
  const defined = application(name, repoURL, options);
  config.applications.push(defined);
  return defined;
}

async function markSynced(app: string, revision: string) {
  const result: SyncResult = { app, revision, phase: 'Succeeded', startedAt: '', finishedAt: '', durationMs: 0, objects: [] };
  await redis.set(redisKeys.syncStatus(app), JSON.stringify(result));
}

// Heads come from the renderer in Tidewater; here, straight from the test's git server.
const headOf = (repos: Map<string, () => string>) => async (app: ArgoApplication) => {
  const head = repos.get(app.spec.source.repoURL);
  if (!head) throw new Error('repository not found');
  return head();
};

const loopDeps = (resolveHead: (application: ArgoApplication) => Promise<string>) => ({
  config: () => config, redis, producers, logger, resolveHead, events: createEventPublisher({ redis, source: '/tidewater/syncer' }),
});

describe('periodic reconcile', () => {
  it('picks up a commit whose webhook never arrived', async () => {
    const repo = gitServer.createRepo('missed');
    const first = await repo.commit({ 'app/config.yaml': 'a: 1\n' }, 'first');
    defineApp('missed', repo.url);
    await markSynced('missed', first.sha);
    const second = await repo.commit({ 'app/config.yaml': 'a: 2\n' }, 'second (no webhook delivered)');
    const resolve = headOf(new Map([[repo.url, () => repo.head('main')]]));

    const loop = createReconcileLoop({ ...loopDeps(resolve), intervalMs: 200, jitterMs: 100, reconcileAtStart: false });
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
    const again = await createReconcileLoop(loopDeps(resolve)).runOnce({ applications: [config.applications.find((app) => app.metadata.name === 'missed')!] });
    expect(again).toEqual([{ app: 'missed', result: 'in-flight', revision: second.sha }]);
    expect((await readAllEvents(redis)).filter((event) => event.type === eventTypes.reconcileStarted && event.data.app === 'missed')).toHaveLength(1);
  });

  it('renders manual apps for comparison, compares again at the same head, and leaves paused ones alone', async () => {
    const head = 'e'.repeat(40);
    const manualHead = 'd'.repeat(40);
    config.applications = [];
    defineApp('paused', 'https://git.example.com/team/paused.git');
    await redis.set(redisKeys.paused('paused'), JSON.stringify({ revision: 'f'.repeat(40), by: 'alice', at: new Date().toISOString(), reason: 'rollback' }));
    defineApp('manual', 'https://git.example.com/team/manual.git', { automated: false });
    defineApp('manual-compared', 'https://git.example.com/team/manual-compared.git', { automated: false });
    const comparison: AppComparison = {
      app: 'manual-compared', revision: manualHead, status: 'OutOfSync', syncPolicy: 'manual', bundleKey: redisKeys.bundle('manual-compared-bundle'), objects: [], comparedAt: '',
    };
    await redis.set(comparison.bundleKey!, '{}');
    await redis.set(redisKeys.comparison('manual-compared'), JSON.stringify(comparison));
    defineApp('current', 'https://git.example.com/team/current.git');
    await markSynced('current', head);
    defineApp('broken', 'https://git.example.com/team/broken.git');

    const asked: string[] = [];
    const outcomes = await createReconcileLoop(loopDeps(async (app) => {
      asked.push(app.metadata.name);
      if (app.metadata.name === 'broken') throw new Error('repository not found');
      return app.metadata.name === 'manual-compared' ? manualHead : head;
    })).runOnce();

    const byApp = Object.fromEntries(outcomes.map((outcome) => [outcome.app, outcome]));
    expect(byApp.paused).toEqual({ app: 'paused', result: 'skipped', reason: 'paused' });
    expect(byApp.manual).toEqual({ app: 'manual', result: 'requested', revision: head });
    expect(byApp['manual-compared']).toEqual({ app: 'manual-compared', result: 'compared', revision: manualHead });
    expect(byApp.current).toEqual({ app: 'current', result: 'up-to-date', revision: head });
    expect(byApp.broken).toEqual({ app: 'broken', result: 'error', reason: 'repository not found' });
    expect(asked).not.toContain('paused');
    expect(await renderQueue.getJob(jobIds.render('paused', head))).toBeUndefined();
    expect(await renderQueue.getJob(jobIds.render('manual', head))).toBeDefined();
    const compareJob = await syncQueue.getJob(jobIds.sync('manual-compared', manualHead));
    expect(compareJob?.data).toMatchObject({ bundleKey: comparison.bundleKey, trigger: { kind: 'reconcile' } });
    expect(compareJob?.data.operation).toBeUndefined();
  });

  it('does not render again a revision whose render was refused for good, unless forced by a configuration change', async () => {
    const head = 'c3'.repeat(20);
    const refused = application('refused-render', 'https://git.example.com/team/refused-render.git');
    await producers.requestRender({ app: 'refused-render', repoURL: refused.spec.source.repoURL, revision: head, targetRevision: 'main', trigger: { kind: 'webhook' }, trace: {} });
    const worker = new Worker(queueNames.render, async () => {
      throw new UnrecoverableError('symlinks point outside the repository');
    }, { connection: createRedisConnection(redisServer.url, 'worker') });
    await waitFor('the render refused', async () => (await (await renderQueue.getJob(jobIds.render('refused-render', head)))?.getState()) === 'failed');
    await worker.close();
    const loop = createReconcileLoop(loopDeps(async () => head));
    expect(await loop.runOnce({ applications: [refused] })).toEqual([{ app: 'refused-render', result: 'render-failed', revision: head }]);
    expect(await loop.runOnce({ applications: [refused], force: true })).toEqual([{ app: 'refused-render', result: 'requested', revision: head }]);
    await loop.close();
  });

  it('reconciles every application at start and each new or changed one when the configuration changes', async () => {
    const head = 'a1'.repeat(20);
    config = { ...config, applications: [application('at-start', 'https://git.example.com/team/at-start.git')] };
    const loop = createReconcileLoop({ ...loopDeps(async () => head), intervalMs: 3_600_000, configCheckMs: 50 });
    loop.start();
    try {
      await waitFor('a render at start', () => renderQueue.getJob(jobIds.render('at-start', head)));
      // A reload brings a new application: rendered at once, not at the next periodic round an hour away.
      config = { ...config, applications: [...config.applications, application('appeared', 'https://git.example.com/team/appeared.git')] };
      await waitFor('a render of the new application', () => renderQueue.getJob(jobIds.render('appeared', head)));
      // The app already synced at this head is rendered again when its spec changes (a periodic round would skip it).
      await (await renderQueue.getJob(jobIds.render('at-start', head)))!.remove();
      await markSynced('at-start', head);
      const changed = { ...application('at-start', 'https://git.example.com/team/at-start.git'), spec: { ...application('at-start', 'x').spec, source: { repoURL: 'https://git.example.com/team/at-start.git', targetRevision: 'main', path: 'other' } } };
      config = { ...config, applications: [changed, ...config.applications.slice(1)] };
      await waitFor('the changed application rendered again', async () => {
        const events = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.reconcileStarted && event.data.app === 'at-start');
        return events.length >= 2 ? events : undefined;
      });
    } finally {
      await loop.close();
    }
  });
});
