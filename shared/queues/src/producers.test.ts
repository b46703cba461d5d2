import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedis, waitFor, type RedisInstance } from '../../../test/harness/src/index.ts';
import { createProducers, queueNames, readDesiredRevision } from './index.ts';

describe('producers', () => {
  let server: RedisInstance;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  const render = (revision: string) => ({
    app: 'web', repoURL: 'git://127.0.0.1/x.git', revision, targetRevision: 'main', trigger: { kind: 'webhook' as const }, trace: {},
  });

  it('makes one render job per app and commit and records the desired revision', async () => {
    const producers = createProducers({ connection: redis });
    expect(await producers.requestRender(render('a'.repeat(40)))).toEqual({ jobId: `render:web:${'a'.repeat(40)}`, added: true });
    expect(await producers.requestRender(render('a'.repeat(40)))).toMatchObject({ added: false });
    expect((await readDesiredRevision(redis, 'web'))?.revision).toBe('a'.repeat(40));
    await producers.close();
  });

  it('runs a webhook render before a backlog of reconcile renders queued earlier (priorities)', async () => {
    const producers = createProducers({ connection: redis });
    const reconcile = (app: string) => ({ ...render('c'.repeat(40)), app, trigger: { kind: 'reconcile' as const, receivedAt: new Date().toISOString() } });
    for (const app of ['r1', 'r2', 'r3', 'r4']) expect(await producers.requestRender(reconcile(app))).toMatchObject({ added: true });
    expect(await producers.requestRender({ ...render('d'.repeat(40)), app: 'pushed' })).toMatchObject({ added: true });
    const order: string[] = [];
    const workerConnection = new Redis(server.url, { maxRetriesPerRequest: null });
    const worker = new Worker(queueNames.render, async (job) => {
      const { app } = job.data as { app: string };
      if (app !== 'web') order.push(app); // 'web' is the first test's job, still waiting
    }, { connection: workerConnection, concurrency: 1 });
    await waitFor('five renders', () => order.length === 5, { timeoutMs: 20_000 });
    await worker.close();
    workerConnection.disconnect();
    await producers.close();
    expect(order).toEqual(['pushed', 'r1', 'r2', 'r3', 'r4']);
  });

  it('keeps a pushed revision that a reconcile with an older view of the branch would overwrite', async () => {
    const producers = createProducers({ connection: redis });
    const seenBeforePush = new Date(Date.now() - 5_000).toISOString();
    await producers.requestRender({ ...render('3'.repeat(40)), app: 'raced' });
    await producers.requestRender({ ...render('2'.repeat(40)), app: 'raced', trigger: { kind: 'reconcile' as const, receivedAt: seenBeforePush } });
    expect((await readDesiredRevision(redis, 'raced'))?.revision).toBe('3'.repeat(40));
    // A reconcile that saw the branch after the push moves the desired revision as before.
    await producers.requestRender({ ...render('4'.repeat(40)), app: 'raced', trigger: { kind: 'reconcile' as const, receivedAt: new Date(Date.now() + 1_000).toISOString() } });
    expect((await readDesiredRevision(redis, 'raced'))?.revision).toBe('4'.repeat(40));
    await producers.close();
  });

  it('re-queues a sync whose earlier job completed as superseded (it never applied its bundle)', async () => {
    const producers = createProducers({ connection: redis });
    const sync = { app: 'behind', revision: 'e'.repeat(40), bundleKey: 'k-same', trigger: { kind: 'webhook' as const }, trace: {} };
    expect(await producers.requestSync(sync)).toMatchObject({ added: true });
    const workerConnection = new Redis(server.url, { maxRetriesPerRequest: null });
    const results: unknown[] = [{ superseded: true }, { phase: 'Succeeded' }];
    let runs = 0;
    const worker = new Worker(queueNames.sync, async (job) => ((job.data as { app: string }).app === 'behind' ? results[runs++] : 'other'), { connection: workerConnection });
    await waitFor('the superseded run', () => runs === 1);
    const queue = new Queue(queueNames.sync, { connection: redis });
    await waitFor('the job to complete', async () => (await (await queue.getJob(`sync:behind:${'e'.repeat(40)}`))?.getState()) === 'completed');
    expect(await producers.requestSync(sync)).toMatchObject({ added: true });
    await waitFor('the second run', () => runs === 2);
    await waitFor('the second job to complete', async () => (await (await queue.getJob(`sync:behind:${'e'.repeat(40)}`))?.getState()) === 'completed');
    expect(await producers.requestSync(sync)).toMatchObject({ added: false }); // done for real now: the same work is not repeated
    await worker.close();
    workerConnection.disconnect();
    await queue.close();
    await producers.close();
  });

  it('re-queues a sync whose earlier job failed or synced another bundle', async () => {
    const producers = createProducers({ connection: redis });
    const sync = (bundleKey: string) => ({ app: 'web', revision: 'b'.repeat(40), bundleKey, trigger: { kind: 'webhook' as const }, trace: {} });
    expect(await producers.requestSync(sync('k1'))).toMatchObject({ added: true });
    const queue = new Queue(queueNames.sync, { connection: redis });
    let calls = 0;
    const worker = new Worker(queueNames.sync, async () => {
      calls++;
      if (calls === 1) throw new UnrecoverableError('cluster down');
      return 'ok';
    }, { connection: redis });
    const jobId = `sync:web:${'b'.repeat(40)}`;
    const stateIs = (state: string) => waitFor(`job ${state}`, async () => (await (await queue.getJob(jobId))?.getState()) === state);
    await stateIs('failed');
    expect(await producers.requestSync(sync('k1'))).toMatchObject({ added: true });
    await stateIs('completed');
    expect(await producers.requestSync(sync('k1'))).toMatchObject({ added: false });
    expect(await producers.requestSync(sync('k2'))).toMatchObject({ added: true });
    await stateIs('completed');
    expect(calls).toBe(3);
    await worker.close();
    await queue.close();
    await producers.close();
  });
});
