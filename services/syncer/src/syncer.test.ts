import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArgoApplication, Cluster, TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents, type EventPublisher } from '@tidewater/events';
import { createRedisConnection, generateBundleSigningKey, queueNames, redisKeys, signBundle, type KubernetesObject, type RenderedBundle, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startRedis, waitFor, type RedisInstance } from '../../../test/harness/src/index.ts';
import { createClusterRegistry, type ClusterRegistry } from './clusters/cluster-registry.ts';
import { ExternalServiceError } from './errors/external-service-error.ts';
import { appLockKey } from './sync/app-lock.ts';
import { processSyncJob } from './sync/process-sync-job.ts';
import { terminateOperation } from './control/terminate-request.ts';
import { createSyncer, type Syncer } from './syncer.ts';

let redisServer: RedisInstance;
let redis: Redis;
let queue: Queue;
let clusters: ClusterRegistry;
let config: TidewaterConfig;
let work: ReturnType<typeof makeWorkDir>;
const prefix = `test-${randomBytes(4).toString('hex')}`;
const logger = createLogger('syncer-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const application = (name: string, cluster: string): ArgoApplication => ({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
  spec: {
    project: 'default',
    source: { repoURL: 'https://git.example.com/team/deploy.git', targetRevision: 'main', path: name },
    destination: { name: cluster, namespace: name },
    syncPolicy: { automated: { prune: true } },
  },
});

beforeAll(async () => {
  redisServer = await startRedis();
  redis = createRedisConnection(redisServer.url, 'worker');
  queue = new Queue(queueNames.sync, { connection: redis, prefix });
  work = makeWorkDir('syncer-worker');
  // Nothing listens on port 1: every request to this cluster is refused.
  const kubeconfigPath = join(work.dir, 'down.kubeconfig');
  writeFileSync(kubeconfigPath, [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: down, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
    'users: [{name: robot, user: {token: not-a-real-token}}]',
    'contexts: [{name: down, context: {cluster: down, user: robot}}]',
    'current-context: down', '',
  ].join('\n'));
  const down: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'down' },
    spec: { server: 'https://127.0.0.1:1', kubeconfigRef: { file: kubeconfigPath } },
  };
  config = {
    applications: [application('gated', 'down'), application('offline', 'down')],
    projects: [], repositories: [], clusters: [down], otherDocuments: [], warnings: [],
  };
  clusters = createClusterRegistry(() => config);
});

afterAll(async () => {
  clusters?.close();
  await queue?.close();
  await redis?.quit();
  await redisServer?.stop();
  work?.remove();
});

const bundleSigningKey = generateBundleSigningKey();

async function storeBundle(app: string, revision: string, objects: KubernetesObject[]): Promise<string> {
  const bundleKey = redisKeys.bundle(`${app}-${revision}`);
  const bundle: RenderedBundle = {
    app, repoURL: 'https://git.example.com/team/deploy.git', revision, path: app, objects, renderedAt: new Date().toISOString(), renderer: 'directory',
  };
  await redis.set(bundleKey, JSON.stringify(signBundle(bundle, bundleSigningKey)));
  return bundleKey;
}

function startSyncer(events: EventPublisher, concurrency = 2): Syncer {
  return createSyncer({ config: () => config, redis, events, logger, clusters, bundleSigningKey, concurrency, prefix });
}

describe('sync worker', () => {
  it('runs one sync per application at a time: a second job of the application is delayed until the first ends', async () => {
    const publisher = createEventPublisher({ redis, source: '/tidewater/syncer' });
    let openGate!: () => void;
    const gate = new Promise<void>((resolveGate) => (openGate = resolveGate));
    let firstStarted!: () => void;
    const started = new Promise<void>((resolveStarted) => (firstStarted = resolveStarted));
    // Holds the first sync inside its lock (at its syncStarted event) until the test opens the gate.
    const gatedEvents: EventPublisher = {
      async publish(event) {
        const published = await publisher.publish(event);
        if (event.type === eventTypes.syncStarted && event.data.app === 'gated') {
          firstStarted();
          await gate;
        }
        return published;
      },
    };
    const revision = 'c'.repeat(40);
    const bundleKey = await storeBundle('gated', revision, []);
    const syncer = startSyncer(gatedEvents);
    try {
      const first = await queue.add('sync', { app: 'gated', revision, bundleKey, trigger: { kind: 'webhook' } }, { jobId: 'gated-1' });
      await started;
      const second = await queue.add('sync', { app: 'gated', revision, bundleKey, trigger: { kind: 'manual' } }, { jobId: 'gated-2' });

      await waitFor('the second job to be delayed', async () => (await second.getState()) === 'delayed', { intervalMs: 20 });
      expect(await first.getState()).toBe('active');
      expect(await redis.exists(appLockKey('gated'))).toBe(1);

      openGate();
      const finished = async (job: Job) => {
        const current = await queue.getJob(job.id!);
        return current?.finishedOn ? (current.returnvalue as SyncResult) : undefined;
      };
      const [firstResult, secondResult] = await Promise.all([
        waitFor('the first job to complete', () => finished(first)),
        waitFor('the second job to complete', () => finished(second)),
      ]);
      expect(firstResult.phase).toBe('Succeeded');
      expect(secondResult.phase).toBe('Succeeded');
      expect(secondResult.trigger?.kind).toBe('manual');
      expect(await redis.exists(appLockKey('gated'))).toBe(0);
    } finally {
      openGate();
      await syncer.close();
    }
  });

  it('keeps retrying a sync whose cluster is unreachable (level-triggered, capped backoff), reporting sync.failed once and each retry', async () => {
    const events = createEventPublisher({ redis, source: '/tidewater/syncer' });
    const revision = 'd'.repeat(40);
    const bundleKey = await storeBundle('offline', revision, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: 'b' } }]);
    const payload = { app: 'offline', revision, bundleKey, trigger: { kind: 'webhook' as const } };

    // Without a worker token (a direct call) the error is rethrown as before: nothing reported by this attempt.
    const probe = await queue.add('probe', payload, { jobId: 'offline-probe', attempts: 3 });
    const retryable = await processSyncJob(probe, { config: () => config, redis, events, logger, clusters, bundleSigningKey }).then(() => undefined, (error: Error) => error);
    expect(retryable).toBeInstanceOf(ExternalServiceError);
    expect(retryable?.message).toMatch(/^cluster down unreachable: .*ECONNREFUSED/);
    expect((await readAllEvents(redis)).filter((event) => event.data.app === 'offline' && event.type === eventTypes.syncFailed)).toEqual([]);
    await probe.remove();

    const syncer = startSyncer(events);
    try {
      // BullMQ's attempts no longer bound it: the job is delayed again and again, never failed.
      const job = await queue.add('sync', payload, { jobId: 'offline-1', attempts: 2, backoff: { type: 'fixed', delay: 10 } });
      await waitFor('three attempts', async () => ((await queue.getJob(job.id!))?.data as { outageAttempt?: number }).outageAttempt! >= 3, { timeoutMs: 30_000 });
      expect(await job.getState()).not.toBe('failed');

      const offlineEvents = (await readAllEvents(redis)).filter((event) => event.data.app === 'offline');
      const failures = offlineEvents.filter((event) => event.type === eventTypes.syncFailed);
      expect(failures).toHaveLength(1);
      expect(failures[0].data.reason).toMatch(/^cluster down unreachable: .*retried until applied/);
      const retries = offlineEvents.filter((event) => event.type === eventTypes.syncRetryScheduled);
      expect(retries.map((event) => event.data.attempt).slice(0, 3)).toEqual([1, 2, 3]);
      expect(retries.every((event) => event.data.limit === -1)).toBe(true);
      const status = JSON.parse((await redis.get(redisKeys.syncStatus('offline')))!) as SyncResult;
      expect(status).toMatchObject({ phase: 'Failed', message: expect.stringMatching(/cluster down unreachable.*attempt [3-9] failed, next at/) });

      // A human cancels it: `tide app terminate-op` (the control request) ends it at its next attempt.
      const terminated = await terminateOperation({ app: 'offline', actor: 'alice' }, { config: () => config, redis, logger });
      expect(terminated).toMatchObject({ terminated: true, sync: { phase: 'Failed', message: expect.stringMatching(/retries after \d+ failed attempts cancelled: terminated by alice/) } });
      await waitFor('the job to end', async () => (await job.getState()) === 'failed', { timeoutMs: 60_000 });
      expect((await queue.getJob(job.id!))!.failedReason).toContain('terminated by alice');
      await expect(terminateOperation({ app: 'offline', actor: 'alice' }, { config: () => config, redis, logger })).rejects.toThrow(/no sync operation of offline is running/);
    } finally {
      await syncer.close();
    }
  });
});
