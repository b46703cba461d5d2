// Door: Secret values rendered into bundles are never shown by `tide diff`, status or events. The diff masks
// `data`, `stringData` and kubectl's last-applied annotation of Secrets as Argo CD does (`++++++++`, one `+`
// more per other value of the same key). Attacked against a real kube-apiserver through the control queue.
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoApplication, type Cluster, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, readAllEvents } from '@tidewater/events';
import {
  createProducers, createRedisConnection, generateBundleSigningKey, jobIds, queueNames, redisKeys, signBundle,
  type KubernetesObject, type RenderedBundle,
} from '@tidewater/queues';
import { createClusterRegistry, createControlWorker, createSyncer, type AppDiff, type ControlWorker, type Syncer } from '@tidewater/syncer';
import { startCluster, startRedis, waitFor, type RedisInstance, type TestCluster } from '../harness/src/index.ts';

const app = 'vault';
const values = {
  password1: `hunter2-${randomBytes(6).toString('hex')}`,
  password2: `correct-horse-${randomBytes(6).toString('hex')}`,
  drifted: `kubectl-edit-${randomBytes(6).toString('hex')}`,
  token: `tok-${randomBytes(6).toString('hex')}`,
  removed: `old-${randomBytes(6).toString('hex')}`,
  added: `new-${randomBytes(6).toString('hex')}`,
};
/** Every form a value could leak in: as written, and base64 as the API server stores `data`. */
const leakForms = Object.values(values).flatMap((value) => [value, Buffer.from(value).toString('base64')]);

const secret = (name: string, content: { stringData?: Record<string, string>; data?: Record<string, string> }): KubernetesObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', ...content });
const b64 = (value: string) => Buffer.from(value).toString('base64');

let redisServer: RedisInstance;
let cluster: TestCluster;
let redis: Redis;
let syncer: Syncer;
let control: ControlWorker;
let config: TidewaterConfig;
const signingKey = generateBundleSigningKey();
const logLines: string[] = [];

beforeAll(async () => {
  [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'diff-mask' })]);
  redis = createRedisConnection(redisServer.url, 'worker');
  const clusterDocument: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'test' },
    spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } },
  };
  const application = ArgoApplication.parse({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app },
    spec: {
      project: 'default', source: { repoURL: 'https://git.example.com/team/vault.git', targetRevision: 'main', path: 'vault' },
      destination: { name: 'test', namespace: app }, syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
    },
  });
  config = { applications: [application], projects: [], repositories: [], clusters: [clusterDocument], otherDocuments: [], warnings: [] };
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const clusters = createClusterRegistry(() => config);
  const events = createEventPublisher({ redis, source: '/tidewater/syncer' });
  syncer = createSyncer({
    config: () => config, redis, events, logger, clusters, bundleSigningKey: signingKey,
    liveState: { debounceMs: 50, staleAfterMs: 1_000, rescanIntervalMs: 60_000 },
  });
  control = createControlWorker({ config: () => config, redis, producers: createProducers({ connection: redis }), events, logger, clusters });
});

afterAll(async () => {
  await control?.close();
  await syncer?.close();
  redis?.disconnect();
  await Promise.all([redisServer?.stop(), cluster?.stop()]);
});

/** Writes a signed bundle as the renderer would and queues its sync; `run: false` leaves the job delayed (rendered, not yet synced). */
async function renderRevision(objects: KubernetesObject[], options: { run: boolean }): Promise<string> {
  const revision = randomBytes(20).toString('hex');
  const bundle: RenderedBundle = {
    app, repoURL: 'https://git.example.com/team/vault.git', revision, path: 'vault', objects, renderedAt: new Date().toISOString(), renderer: 'directory',
  };
  const bundleKey = redisKeys.bundle(`${app}-${revision}`);
  await redis.set(bundleKey, JSON.stringify(signBundle(bundle, signingKey)));
  const queue = new Queue(queueNames.sync, { connection: redis });
  try {
    if (options.run) await redis.set(redisKeys.desiredRevision(app), JSON.stringify({ revision, at: new Date().toISOString() }));
    const job = await queue.add('sync', { app, revision, bundleKey, trigger: { kind: 'webhook' } }, {
      jobId: jobIds.sync(app, revision), ...(options.run ? {} : { delay: 600_000 }),
    });
    if (options.run) {
      await waitFor(`the sync of ${revision.slice(0, 7)}`, async () => (await queue.getJobState(job.id!)) === 'completed' || undefined, { timeoutMs: 60_000, intervalMs: 100 });
    }
  } finally {
    await queue.close();
  }
  return revision;
}

/** What `tide diff <app> [revision]` asks: a diff job on the control queue, awaited. */
async function tideDiff(revision?: string): Promise<AppDiff> {
  const queue = new Queue(queueNames.control, { connection: redis });
  const eventsConnection = redis.duplicate();
  const queueEvents = new QueueEvents(queueNames.control, { connection: eventsConnection });
  try {
    await queueEvents.waitUntilReady();
    const job = await queue.add('diff', { kind: 'diff', app, ...(revision ? { revision } : {}) });
    return await job.waitUntilFinished(queueEvents, 30_000) as AppDiff;
  } finally {
    await queueEvents.close();
    await queue.close();
    eventsConnection.disconnect();
  }
}

describe('a diff of an application whose Secret changed', () => {
  it('shows that the values changed, masked, and no value in any form', async () => {
    await renderRevision([
      secret('db', { stringData: { password: values.password1, user: 'admin' }, data: { token: b64(values.token) } }),
      secret('legacy', { stringData: { key: values.removed } }),
    ], { run: true });
    // Live state has judged what the sync applied (in sync) before anyone touches it.
    await waitFor('the first drift judgement of the application', async () => {
      const drift = await redis.get(redisKeys.appDrift(app));
      return drift && JSON.parse(drift).outOfSync === false ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 100 });

    // Someone edits the live Secret, with kubectl's client-side last-applied annotation holding the value.
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const live = await core.readNamespacedSecret({ name: 'db', namespace: app });
    live.data = { ...live.data, password: b64(values.drifted) };
    live.metadata!.annotations = {
      ...live.metadata!.annotations,
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { password: b64(values.drifted) } }),
    };
    await core.replaceNamespacedSecret({ name: 'db', namespace: app, body: live });
    await waitFor('the drift of the Secret to be recorded', async () => {
      const drift = await redis.get(redisKeys.appDrift(app));
      return drift && JSON.parse(drift).outOfSync === true ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 100 });

    // The next commit changes the password, drops one Secret and adds another; rendered, not yet synced.
    const next = await renderRevision([
      secret('db', { stringData: { password: values.password2, user: 'admin' }, data: { token: b64(values.token) } }),
      secret('fresh', { stringData: { key: values.added } }),
    ], { run: false });

    const diff = await tideDiff(next);
    const text = JSON.stringify(diff);
    for (const form of leakForms) expect(text).not.toContain(form);

    const db = diff.objects.find((object) => object.name === 'db')!;
    expect(db.status).toBe('changed');
    const changed = db.diff.split('\n').filter((line) => /^[+-] /.test(line));
    // The live password (edited) and the desired one differ: two masks of different length. The unchanged token
    // and user keep one mask on both sides, so they are no change at all.
    expect(changed).toEqual(expect.arrayContaining(['-  password: ++++++++', '+  password: +++++++++']));
    expect(changed.join('\n')).not.toMatch(/token|user/);
    expect(db.diff).toMatch(/last-applied-configuration: '\{.*"password":"\+{8,}"/);
    const removed = diff.objects.find((object) => object.name === 'legacy')!;
    expect(removed.status).toBe('removed');
    expect(removed.diff).toContain('-  key: ++++++++');
    const added = diff.objects.find((object) => object.name === 'fresh')!;
    expect(added.status).toBe('added');
    expect(added.diff).toContain('+  key: ++++++++');
  });

  it('leaves no value in what tide status reads (sync result, health, drift, history), the events or the logs', async () => {
    const [sync, health, drift] = await redis.mget(redisKeys.syncStatus(app), redisKeys.appHealth(app), redisKeys.appDrift(app));
    const history = await redis.lrange(redisKeys.history(app), 0, -1);
    const everything = [sync, health, drift, ...history, JSON.stringify(await readAllEvents(redis)), logLines.join('\n')].join('\n');
    expect(drift).toContain('db');
    for (const form of leakForms) expect(everything).not.toContain(form);
  });
});
