import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { createProducers, jobIds, queueNames, redisKeys, type RenderedBundle } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { createControlWorker } from '../control/control-worker.ts';
import { configMap, deployment, startLiveStateFixture, type LiveStateFixture } from '../live-state/test-fixture.ts';
import { computeAppDiff, type AppDiff } from './compute-app-diff.ts';
import { diffRequestHandler } from './handle-diff-job.ts';

let fixture: LiveStateFixture;

beforeAll(async () => {
  fixture = await startLiveStateFixture({ name: 'diff', workloads: false });
});

afterAll(async () => {
  await fixture?.stop();
});

const diffDeps = () => ({ config: () => fixture.config, redis: fixture.redis, clusters: fixture.clusters, prefix: fixture.prefix });
const objectOf = (diff: AppDiff, kind: string, name: string) => diff.objects.find((object) => object.kind === kind && object.name === name);
const changedLines = (text: string) => text.split('\n').filter((line) => /^[+-] /.test(line));

describe('diff of desired vs live', () => {
  it('shows a changed replica count and an added label of a rendered revision, without server-populated fields', async () => {
    fixture.defineApp('shop', { namespace: 'shop' });
    const synced = await fixture.sync('shop', [deployment('web', 3), configMap('keep'), configMap('old')]);
    expect(synced.result?.phase).toBe('Succeeded');

    // The next commit is rendered and its sync is queued (delayed here so the worker leaves it alone).
    const revision = 'b'.repeat(40);
    const bundleKey = redisKeys.bundle(`shop-${revision}`);
    const bundle: RenderedBundle = {
      app: 'shop', repoURL: 'https://git.example.com/team/deploy.git', revision, path: 'shop', renderedAt: new Date().toISOString(), renderer: 'directory',
      objects: [deployment('web', 5, { labels: { team: 'blue' } }), configMap('keep'), configMap('new', { flavour: 'spicy' })],
    };
    await fixture.redis.set(bundleKey, JSON.stringify(bundle));
    const syncQueue = new Queue(queueNames.sync, { connection: fixture.redis, prefix: fixture.prefix });
    await syncQueue.add('sync', { app: 'shop', revision, bundleKey, trigger: { kind: 'webhook' } }, { jobId: jobIds.sync('shop', revision), delay: 600_000 });
    await syncQueue.close();

    const diff = await computeAppDiff({ app: 'shop', revision }, diffDeps());

    expect(diff.revision).toBe(revision);
    const web = objectOf(diff, 'Deployment', 'web')!;
    expect(web.status).toBe('changed');
    expect(web.diff).toContain('--- live/Deployment/shop/web');
    expect(web.diff).toContain('+++ desired/Deployment/shop/web');
    expect(changedLines(web.diff)).toEqual(expect.arrayContaining(['-  replicas: 3', '+  replicas: 5', '+    team: blue']));
    // Status, server-set metadata and API defaults (present on both sides) are never part of a diff.
    expect(changedLines(web.diff).join('\n')).not.toMatch(/resourceVersion|managedFields|generation|status|imagePullPolicy|progressDeadlineSeconds|uid:/);
    expect(objectOf(diff, 'ConfigMap', 'keep')).toMatchObject({ status: 'unchanged', diff: '' });
    const added = objectOf(diff, 'ConfigMap', 'new')!;
    expect(added.status).toBe('added');
    expect(changedLines(added.diff)).toEqual(expect.arrayContaining(['+  flavour: spicy']));
    const removed = objectOf(diff, 'ConfigMap', 'old')!;
    expect(removed.status).toBe('removed');
    expect(changedLines(removed.diff)).toEqual(expect.arrayContaining(['-  name: old']));
  });

  it('answers diff requests on the control queue, awaited by the asker, and reports drift against the applied revision', async () => {
    fixture.defineApp('cafe', { namespace: 'cafe' });
    const synced = await fixture.sync('cafe', [deployment('barista', 2)]);
    await fixture.patch('/apis/apps/v1/namespaces/cafe/deployments/barista', { spec: { replicas: 7 } }, 'kubectl-edit');

    const logger = createLogger('diff-test', { level: 'silent' });
    const producers = createProducers({ connection: fixture.redis });
    const control = createControlWorker({
      config: () => fixture.config, redis: fixture.redis, producers, events: fixture.events, logger, clusters: fixture.clusters,
      prefix: fixture.prefix, diff: diffRequestHandler(diffDeps()),
    });
    const queue = new Queue(queueNames.control, { connection: fixture.redis, prefix: fixture.prefix });
    const eventsConnection = fixture.redis.duplicate();
    const queueEvents = new QueueEvents(queueNames.control, { connection: eventsConnection, prefix: fixture.prefix });
    try {
      await queueEvents.waitUntilReady();
      const job = await queue.add('diff', { kind: 'diff', app: 'cafe' });
      const answer = await job.waitUntilFinished(queueEvents, 20_000) as AppDiff & { kind: string };
      expect(answer).toMatchObject({ kind: 'diff', app: 'cafe', revision: synced.revision });
      const barista = objectOf(answer, 'Deployment', 'barista')!;
      expect(barista.status).toBe('changed');
      expect(changedLines(barista.diff)).toEqual(['-  replicas: 7', '+  replicas: 2']);

      const unknown = await queue.add('diff', { kind: 'diff', app: 'nowhere' });
      await expect(unknown.waitUntilFinished(queueEvents, 20_000)).rejects.toThrow(/application nowhere is not defined/);
      const notRendered = await queue.add('diff', { kind: 'diff', app: 'cafe', revision: 'c'.repeat(40) });
      await expect(notRendered.waitUntilFinished(queueEvents, 20_000)).rejects.toThrow(/no rendered bundle of cafe at c{40} is cached/);
    } finally {
      await control.close();
      await queue.close();
      await queueEvents.close();
      await eventsConnection.quit();
      await producers.close();
    }
  });
});
