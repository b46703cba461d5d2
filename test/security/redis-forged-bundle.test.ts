// Door: a rogue Redis writer cannot make the syncer apply objects of its own. The renderer signs every bundle it
// writes (HMAC-SHA256 with TIDEWATER_BUNDLE_KEY over the canonical bundle JSON); the syncer applies only bundles
// whose signature verifies. Attacked here through the real sync queue against a real kube-apiserver.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoApplication, type Cluster, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import {
  BundleSigningKey, createProducers, createRedisConnection, generateBundleSigningKey, jobIds, queueNames, redisKeys, signBundle,
  verifyBundleSignature, type KubernetesObject, type RenderedBundle, type SyncResult,
} from '@tidewater/queues';
import { bundleCacheKey, processRenderJob } from '@tidewater/renderer';
import { appliedBundleKey, appliedRecordKey, createClusterRegistry, createLiveState, createSyncer, type Syncer } from '@tidewater/syncer';
import {
  makeWorkDir, startCluster, startGitServer, startRedis, toolPath, waitFor, type GitServer, type RedisInstance, type TestCluster,
} from '../harness/src/index.ts';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** What an attacker with write access to Redis would like applied: anonymous users as cluster-admin. */
const clusterAdminForAnonymous: KubernetesObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'pwned-anonymous-admin' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }],
} as KubernetesObject;

const configMap = (name: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { greeting: 'hello' } });

let redisServer: RedisInstance;
let cluster: TestCluster;
let git: GitServer;
let redis: Redis;
let queue: Queue;
let syncer: Syncer;
let config: TidewaterConfig;
let work: ReturnType<typeof makeWorkDir>;
const signingKey = generateBundleSigningKey();

beforeAll(async () => {
  [redisServer, cluster, git] = await Promise.all([startRedis(), startCluster({ name: 'forged-bundle' }), startGitServer()]);
  work = makeWorkDir('forged-bundle');
  redis = createRedisConnection(redisServer.url, 'worker');
  const clusterDocument: Cluster = {
    apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'test' },
    spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } },
  };
  config = { applications: [], projects: [], repositories: [], clusters: [clusterDocument], otherDocuments: [], warnings: [] };
  syncer = createSyncer({
    config: () => config, redis, logger, liveState: false, bundleSigningKey: signingKey,
    events: createEventPublisher({ redis, source: '/tidewater/syncer' }), clusters: createClusterRegistry(() => config),
  });
  // This file's own Redis: the default BullMQ prefix, where the renderer's producers queue too.
  queue = new Queue(queueNames.sync, { connection: redis });
});

afterAll(async () => {
  await syncer?.close();
  await queue?.close();
  redis?.disconnect();
  await Promise.all([redisServer?.stop(), cluster?.stop(), git?.stop()]);
  work?.remove();
});

function defineApp(name: string, repoURL = 'https://git.example.com/team/deploy.git', selfHeal = false): ArgoApplication {
  const application = ArgoApplication.parse({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
    spec: {
      project: 'default', source: { repoURL, targetRevision: 'main', path: 'app' },
      destination: { name: 'test', namespace: name },
      // Automated: the strongest case, where an accepted bundle would be applied at once.
      syncPolicy: { syncOptions: ['CreateNamespace=true'], automated: { prune: true, ...(selfHeal ? { selfHeal: true } : {}) } },
    },
  });
  config.applications = [...config.applications.filter((candidate) => candidate.metadata.name !== name), application];
  return application;
}

/** What a rogue Redis writer does: a bundle under a bundle key, the app's desired revision, and a sync job as the renderer queues it. */
async function plantAndEnqueue(app: string, bundle: RenderedBundle): Promise<string> {
  const bundleKey = redisKeys.bundle(`${app}-${bundle.revision}`);
  await redis.set(bundleKey, JSON.stringify(bundle));
  await redis.set(redisKeys.desiredRevision(app), JSON.stringify({ revision: bundle.revision, at: new Date().toISOString() }));
  const job = await queue.add('sync', { app, revision: bundle.revision, bundleKey, trigger: { kind: 'webhook', actor: 'mallory' } }, {
    jobId: jobIds.sync(app, bundle.revision), attempts: 5, backoff: { type: 'exponential', delay: 1_000 },
  });
  return job.id!;
}

async function finished(jobId: string): Promise<{ state: string; attemptsMade: number; reason?: string }> {
  return waitFor(`sync job ${jobId} to finish`, async () => {
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return undefined;
    const job = await queue.getJob(jobId);
    return { state, attemptsMade: job?.attemptsMade ?? 0, ...(job?.failedReason ? { reason: job.failedReason } : {}) };
  }, { timeoutMs: 60_000, intervalMs: 100 });
}

async function syncEvents(app: string, revision: string): Promise<CloudEvent[]> {
  return (await readAllEvents(redis)).filter((event) => event.data.app === app && event.data.revision === revision
    && (event.type === eventTypes.syncFailed || event.type === eventTypes.syncSucceeded || event.type === eventTypes.syncStarted));
}

async function bindingExists(): Promise<boolean> {
  const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  return rbac.readClusterRoleBinding({ name: clusterAdminForAnonymous.metadata.name }).then(() => true, (error: { code?: number }) => {
    if (error.code === 404) return false;
    throw error;
  });
}

const bundleOf = (app: string, objects: KubernetesObject[]): RenderedBundle => ({
  app, repoURL: 'https://git.example.com/team/deploy.git', revision: randomBytes(20).toString('hex'), path: 'app',
  objects, renderedAt: new Date().toISOString(), renderer: 'directory',
});

describe('a sync job whose bundle the renderer did not sign', () => {
  it('is refused permanently when the bundle carries no signature: nothing reaches the cluster, an event says why', async () => {
    defineApp('victim');
    const forged = bundleOf('victim', [clusterAdminForAnonymous]);
    const outcome = await finished(await plantAndEnqueue('victim', forged));
    expect(outcome.state).toBe('failed');
    expect(outcome.attemptsMade).toBe(1); // UnrecoverableError: no retry storm
    expect(outcome.reason).toMatch(/carries no renderer signature/);
    expect(await bindingExists()).toBe(false);
    const events = await syncEvents('victim', forged.revision);
    expect(events.map((event) => event.type)).toEqual([eventTypes.syncFailed]);
    expect(String(events[0].data.reason)).toMatch(/carries no renderer signature.*not applied/);
    const status = JSON.parse((await redis.get(redisKeys.syncStatus('victim')))!) as SyncResult;
    expect(status).toMatchObject({ revision: forged.revision, phase: 'Failed', objects: [] });
  });

  it('is refused when signed with a key other than the renderer\'s, or when a signed bundle was altered in Redis', async () => {
    defineApp('victim');
    const guessedKey = new BundleSigningKey(Buffer.from('x'.repeat(64)));
    const wrongKey = signBundle(bundleOf('victim', [clusterAdminForAnonymous]), guessedKey);
    const wrongOutcome = await finished(await plantAndEnqueue('victim', wrongKey));
    expect(wrongOutcome).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect(wrongOutcome.reason).toMatch(/signature that does not match/);

    // A bundle the renderer really signed, with one object slipped in afterwards.
    const genuine = signBundle(bundleOf('victim', [configMap('innocent')]), signingKey);
    const altered: RenderedBundle = { ...genuine, objects: [...genuine.objects, clusterAdminForAnonymous] };
    const alteredOutcome = await finished(await plantAndEnqueue('victim', altered));
    expect(alteredOutcome).toMatchObject({ state: 'failed', attemptsMade: 1 });
    expect(alteredOutcome.reason).toMatch(/signature that does not match/);
    expect(await bindingExists()).toBe(false);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await expect(core.readNamespacedConfigMap({ name: 'innocent', namespace: 'victim' })).rejects.toMatchObject({ code: 404 });
    // The refusal names the bundle key, never key material.
    expect(alteredOutcome.reason).not.toContain(signingKey.mac('probe'));
  });

  it('applies the same bundle once the renderer signed it (the control: the door is closed, not the path)', async () => {
    defineApp('victim');
    const genuine = signBundle(bundleOf('victim', [configMap('signed-config')]), signingKey);
    const outcome = await finished(await plantAndEnqueue('victim', genuine));
    expect(outcome.state).toBe('completed');
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const applied = await core.readNamespacedConfigMap({ name: 'signed-config', namespace: 'victim' });
    expect(applied.data).toEqual({ greeting: 'hello' });
  });
});

describe('a bundle cached before bundles were signed', () => {
  it('is not reused: the renderer renders the commit again and signs it, and the syncer applies that', async () => {
    const repo = git.createRepo('team/legacy');
    const commit = await repo.commit({ 'app/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-git\ndata:\n  source: git\n' }, 'Add a ConfigMap');
    const application = defineApp('legacy', repo.url);
    // What an older Tidewater left in the cache for exactly this app and commit: no signature.
    const cacheKey = bundleCacheKey({
      app: 'legacy', repoURL: repo.url, revision: commit.sha, path: 'app', source: application.spec.source, destinationNamespace: 'legacy',
    });
    const legacyBundle: RenderedBundle = {
      app: 'legacy', repoURL: repo.url, revision: commit.sha, path: 'app', objects: [configMap('stale-unsigned')], renderedAt: new Date(0).toISOString(), renderer: 'directory',
    };
    await redis.set(redisKeys.bundle(cacheKey), JSON.stringify(legacyBundle));

    const producerConnection = createRedisConnection(redisServer.url, 'worker');
    const producers = createProducers({ connection: producerConnection });
    try {
      const result = await processRenderJob({
        id: jobIds.render('legacy', commit.sha), attemptsMade: 0, opts: { attempts: 1 },
        data: { app: 'legacy', repoURL: repo.url, revision: commit.sha, targetRevision: 'main', trigger: { kind: 'webhook' }, trace: {} },
      }, {
        config: () => config, redis, producers, logger, bundleSigningKey: signingKey, cacheDir: join(work.dir, 'renderer'),
        events: createEventPublisher({ redis, source: '/tidewater/renderer' }), tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
      });
      expect(result).toMatchObject({ bundleKey: redisKeys.bundle(cacheKey), cached: false, objects: 1 });
      const stored = JSON.parse((await redis.get(redisKeys.bundle(cacheKey)))!) as RenderedBundle;
      expect(stored.objects.map((object) => object.metadata.name)).toEqual(['from-git']);
      expect(verifyBundleSignature(stored, signingKey)).toEqual({ ok: true });

      const outcome = await finished(jobIds.sync('legacy', commit.sha));
      expect(outcome.state).toBe('completed');
      const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
      expect((await core.readNamespacedConfigMap({ name: 'from-git', namespace: 'legacy' })).data).toEqual({ source: 'git' });
      await expect(core.readNamespacedConfigMap({ name: 'stale-unsigned', namespace: 'legacy' })).rejects.toMatchObject({ code: 404 });
    } finally {
      await producers.close();
      producerConnection.disconnect();
    }
  });
});

describe('the applied-bundle copy that self-heal re-applies', () => {
  it('is ignored when a Redis writer replaced it: self-heal creates nothing from it', async () => {
    defineApp('healer', undefined, true);
    const forged = bundleOf('healer', [clusterAdminForAnonymous]);
    // What the syncer records after a successful sync, rewritten by the attacker to point at objects of its own.
    await redis.set(appliedBundleKey('healer'), JSON.stringify(forged));
    await redis.set(appliedRecordKey('healer'), JSON.stringify({
      app: 'healer', revision: forged.revision, bundleKey: redisKeys.bundle('healer-forged'), phase: 'Succeeded', appliedAt: new Date().toISOString(),
    }));
    const lines: string[] = [];
    const liveState = createLiveState({
      config: () => config, redis, clusters: createClusterRegistry(() => config), bundleSigningKey: signingKey,
      events: createEventPublisher({ redis, source: '/tidewater/syncer' }), debounceMs: 10, rescanIntervalMs: 60_000,
      logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }),
    });
    try {
      await liveState.refreshApp('healer');
      expect(lines.join('\n')).toContain('the applied bundle of the application is missing');
      expect(liveState.watches()).toEqual([]);
      expect(await bindingExists()).toBe(false);
    } finally {
      await liveState.close();
    }
  });
});
