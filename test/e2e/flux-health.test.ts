import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { redisKeys, type SyncResult } from '@tidewater/queues';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf } from './helpers.ts';

// Flux Kustomization `wait`, `healthChecks` and `timeout` against a real control plane with kube-controller-manager,
// scheduler and a kwok node: Deployment `good` rolls out to Available; Deployments `stuck` and `lazy` select a node
// that does not exist, so they never do. Each Kustomization has a dependent (`after-…`, one ConfigMap) whose
// ConfigMap appears only when Tidewater considers the dependency Ready.

const kustomization = (name: string, extra: string) => `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  path: ./${name}
  prune: true
  sourceRef: {kind: GitRepository, name: apps}
${extra}`;
const dependent = (name: string) => kustomization(`after-${name}`, `  dependsOn: [{name: ${name}}]\n`);

const flux = (repoURL: string) => [
  `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: apps, namespace: flux-system}
spec: {url: '${repoURL}', ref: {branch: main}}
`,
  // wait: true — Ready when every applied object is Healthy.
  kustomization('base', '  wait: true\n  timeout: 3m\n'),
  kustomization('stuck', '  wait: true\n  timeout: 20s\n'),
  // wait: false (Flux's default) and no healthChecks — Ready once applied, even though `lazy` never becomes available.
  kustomization('lazy', ''),
  // healthChecks on objects another Kustomization applied, read live from the cluster.
  kustomization('checks-good', '  healthChecks: [{apiVersion: apps/v1, kind: Deployment, name: good, namespace: flux-system}]\n  timeout: 3m\n'),
  kustomization('checks-lazy', '  interval: 20s\n  healthChecks: [{apiVersion: apps/v1, kind: Deployment, name: lazy}]\n'),
  ...['base', 'stuck', 'lazy', 'checks-good', 'checks-lazy'].map(dependent),
].join('');

const deployment = (name: string, schedulable: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: ${name}, image: registry.example/${name}:1}]
${schedulable ? '' : '      nodeSelector: {type: no-such-node}\n'}`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {ready: "yes"}\n`;

describe('Flux Kustomization wait, healthChecks and timeout (real control plane with workloads)', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let core: CoreV1Api;
  const syncOf = async (app: string) => {
    const raw = await redis.get(redisKeys.syncStatus(app));
    return raw ? JSON.parse(raw) as SyncResult : undefined;
  };
  const configMapData = (name: string) => core.readNamespacedConfigMap({ name, namespace: 'flux-system' }).then((found) => found.data, () => undefined);
  const appliedConfigMap = (name: string) => waitFor(`ConfigMap ${name} applied`, async () => ((await configMapData(name))?.ready === 'yes' ? true : undefined), { timeoutMs: 150_000 });

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ seedRepository: false, workloads: true });
    redis = new Redis(env.redis.url);
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    const files: Record<string, string> = {
      'base/deployment.yaml': deployment('good', true),
      'stuck/deployment.yaml': deployment('stuck', false),
      'lazy/deployment.yaml': deployment('lazy', false),
      'checks-good/settings.yaml': configMap('checks-good'),
      'checks-lazy/settings.yaml': configMap('checks-lazy'),
      'peek/settings.yaml': configMap('peek'),
    };
    for (const name of ['base', 'stuck', 'lazy', 'checks-good', 'checks-lazy']) files[`after-${name}/settings.yaml`] = configMap(`after-${name}`);
    await env.repo.commit(files, 'five Kustomizations and their dependents');
    await env.writeConfig('flux.yaml', flux(env.repo.url));
  }, 180_000);

  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  it('wait: true — the sync succeeds once the Deployment is Available, then the dependent applies', async () => {
    await appliedConfigMap('after-base');
    expect((await syncOf('base'))?.phase).toBe('Succeeded');
    const health = JSON.parse(await redis.get(redisKeys.appHealth('base')) ?? '{}') as { status?: string };
    expect(health.status).toBe('Healthy');
  }, 180_000);

  it('wait: false without healthChecks — Ready once applied, the dependent applies although the Deployment is not Available', async () => {
    await appliedConfigMap('after-lazy');
    expect((await syncOf('lazy'))?.phase).toBe('Succeeded');
    const health = JSON.parse(await redis.get(redisKeys.appHealth('lazy')) ?? '{}') as { status?: string };
    expect(health.status).not.toBe('Healthy');
  }, 180_000);

  it('healthChecks — an object another Kustomization applied, read live, gates the dependent', async () => {
    await appliedConfigMap('after-checks-good');
    expect((await syncOf('checks-good'))?.phase).toBe('Succeeded');
  }, 180_000);

  it('timeout — not Ready in time fails the sync naming the objects still not ready, and dependents do not proceed', async () => {
    for (const [app, notReady] of [['stuck', /Deployment flux-system\/stuck \(Progressing/], ['checks-lazy', /Deployment flux-system\/lazy \(Progressing/]] as const) {
      const failed = await waitFor(`${app} to fail its health check`, async () => {
        const sync = await syncOf(app);
        return sync?.phase === 'Failed' ? sync : undefined;
      }, { timeoutMs: 150_000 });
      expect(failed.message).toMatch(/^health check failed after 20s \(Flux timeout\), not ready: /);
      expect(failed.message).toMatch(notReady);
      // The failure event carries the same reason.
      const events = await eventsOf(redis, eventTypes.syncFailed, { app });
      expect(events.map((event) => event.data.reason)).toContain(failed.message);
    }
    // Their dependents were rendered long ago and are still held.
    expect(await configMapData('after-stuck')).toBeUndefined();
    expect(await configMapData('after-checks-lazy')).toBeUndefined();
    expect(await redis.exists(redisKeys.syncStatus('after-stuck'))).toBe(0);
    expect(await redis.exists(redisKeys.syncStatus('after-checks-lazy'))).toBe(0);
  }, 180_000);

  it('attack: a health check on an object the project does not permit is refused, not read with the syncer\'s rights', async () => {
    await core.createNamespacedSecret({ namespace: 'kube-system', body: { metadata: { name: 'peek-target' }, stringData: { token: 'do-not-probe' } } });
    await env.writeConfig('flux-project.yaml', `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default}
spec: {sourceRepos: ['*'], destinations: [{server: '*', namespace: flux-system}]}
`);
    await env.writeConfig('flux.yaml', flux(env.repo.url)
      + kustomization('peek', '  healthChecks: [{apiVersion: v1, kind: Secret, name: peek-target, namespace: kube-system}]\n  timeout: 3m\n'));
    const failed = await waitFor('peek to be refused', async () => {
      const sync = await syncOf('peek');
      return sync?.phase === 'Failed' ? sync : undefined;
    }, { timeoutMs: 150_000 });
    // Refused at once (not after the 3m timeout), naming the check and the project rule; no secret value anywhere.
    expect(failed.message).toMatch(/^health check Secret kube-system\/peek-target is not permitted by project default: destination .* namespace kube-system is not permitted/);
    expect(JSON.stringify(await eventsOf(redis, eventTypes.syncFailed, { app: 'peek' }))).not.toContain('do-not-probe');
  }, 180_000);
});
