import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { queueNames, readSyncHistory, redisKeys, type AppHealth, type SyncResult } from '@tidewater/queues';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';

// Flux dependsOn against a real control plane (no controllers: a Deployment never becomes available there, so it
// stays Progressing): `web` depends on `infra` (wait: true) and is synced only once infra is synced and Healthy.
// (wait: false, healthChecks and timeout: flux-health.test.ts.)

const flux = (repoURL: string) => `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: apps, namespace: flux-system}
spec: {url: '${repoURL}', ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: infra, namespace: flux-system}
spec: {path: ./infra, prune: true, wait: true, timeout: 20s, sourceRef: {kind: GitRepository, name: apps}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: web, namespace: flux-system}
spec: {path: ./web, prune: true, dependsOn: [{name: infra}], sourceRef: {kind: GitRepository, name: apps}}
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: infra}
spec:
  replicas: 1
  selector: {matchLabels: {app: infra}}
  template:
    metadata: {labels: {app: infra}}
    spec: {containers: [{name: infra, image: registry.example/infra:1}]}
`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {ready: "yes"}\n`;

describe('Flux Kustomization dependsOn ordering (real control plane)', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let core: CoreV1Api;
  let syncQueue: Queue;
  const read = async <T>(key: string) => {
    const raw = await redis.get(key);
    return raw ? JSON.parse(raw) as T : undefined;
  };
  const webConfigMap = () => core.readNamespacedConfigMap({ name: 'web', namespace: 'flux-system' }).then((found) => found.data, () => undefined);

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ seedRepository: false });
    redis = new Redis(env.redis.url);
    syncQueue = new Queue(queueNames.sync, { connection: redis });
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    await env.repo.commit({ 'infra/deployment.yaml': deployment, 'web/settings.yaml': configMap('web') }, 'infra (a Deployment) and web');
    await env.writeConfig('flux.yaml', flux(env.repo.url));
  }, 180_000);

  afterAll(async () => {
    await syncQueue?.close();
    redis?.disconnect();
    await env?.stop();
  });

  it('holds web while infra is applied but not Healthy (infra then fails its health check)', async () => {
    await waitFor('infra applied and Progressing', async () => {
      const health = await read<AppHealth>(redisKeys.appHealth('infra'));
      return health && health.status !== 'Healthy' ? true : undefined;
    }, { timeoutMs: 90_000 });
    // web rendered, and its sync job waits (delayed) instead of applying.
    await waitFor('web sync waiting', async () => ((await syncQueue.getJobs(['delayed'])).some((job) => (job.data as { app?: string }).app === 'web') ? true : undefined), { timeoutMs: 60_000 });
    expect(await webConfigMap()).toBeUndefined();
    expect(await redis.exists(redisKeys.syncStatus('web'))).toBe(0);
    // wait: true with timeout 20s: infra's sync fails naming the Deployment, and web is still held.
    const failed = await waitFor('infra health check failed', async () => {
      const sync = await read<SyncResult>(redisKeys.syncStatus('infra'));
      return sync?.phase === 'Failed' ? sync : undefined;
    }, { timeoutMs: 90_000 });
    expect(failed.message).toMatch(/health check failed after 20s.*Deployment flux-system\/infra/);
    expect(await webConfigMap()).toBeUndefined();
  }, 180_000);

  it('syncs web once infra becomes Healthy (a push replacing the Deployment)', async () => {
    const fix = await env.repo.commit({ 'infra/deployment.yaml': null, 'infra/settings.yaml': configMap('infra') }, 'infra: a ConfigMap, healthy at once');
    await waitFor('web synced', async () => ((await webConfigMap())?.ready === 'yes' ? true : undefined), { timeoutMs: 90_000 });
    // The sync records its status after its last apply: wait for the record, not only for the object.
    await waitFor('web sync recorded', async () => ((await read<SyncResult>(redisKeys.syncStatus('web')))?.phase === 'Succeeded' ? true : undefined), { timeoutMs: 30_000 });
    expect((await read<SyncResult>(redisKeys.syncStatus('web')))?.phase).toBe('Succeeded');
    // web's first sync started after infra's first successful sync of the fix (later syncs of infra do not matter).
    const infraFixed = (await readSyncHistory(redis, 'infra')).entries.filter((entry) => entry.revision === fix.sha && entry.phase === 'Succeeded').at(-1);
    const webFirst = (await readSyncHistory(redis, 'web')).entries.at(-1);
    expect(infraFixed && webFirst).toBeTruthy();
    expect(Date.parse(webFirst!.startedAt)).toBeGreaterThanOrEqual(Date.parse(infraFixed!.finishedAt));
  }, 180_000);
});
