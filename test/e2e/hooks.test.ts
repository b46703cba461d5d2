import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { requestControl } from '@tidewater/tide';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { waitForSync } from './helpers.ts';

// Helm hooks and Prune=confirm through the whole loop: a push of a chart whose `helm template` output carries hook
// annotations → render → sync, on a control plane where kube-controller-manager and kwok really complete Jobs.

const app = 'hooked-chart';

const applicationYaml = (repoUrl: string) => [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  `metadata: {name: ${app}}`,
  'spec:',
  '  project: default',
  `  source: {repoURL: ${repoUrl}, targetRevision: main, path: charts/hooked, helm: {releaseName: shop}}`,
  '  destination: {name: in-cluster, namespace: shop}',
  '  syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}',
  '',
].join('\n');

const hookJob = (name: string, annotations: string[]) => [
  'apiVersion: batch/v1',
  'kind: Job',
  'metadata:',
  `  name: {{ .Release.Name }}-${name}`,
  '  annotations:',
  ...annotations.map((annotation) => `    ${annotation}`),
  'spec:',
  '  backoffLimit: 0',
  '  template:',
  '    spec:',
  '      restartPolicy: Never',
  '      containers: [{name: run, image: "busybox:1.36", command: ["true"]}]',
  '',
].join('\n');

const chart = (withPrecious: boolean): Record<string, string | null> => ({
  'charts/hooked/Chart.yaml': 'apiVersion: v2\nname: hooked\nversion: 0.1.0\n',
  'charts/hooked/templates/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ .Release.Name }}-settings"}\ndata: {mode: live}\n',
  'charts/hooked/templates/precious.yaml': withPrecious
    ? 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{ .Release.Name }}-precious"\n  annotations: {argocd.argoproj.io/sync-options: Prune=confirm}\ndata: {keep: "yes"}\n'
    : null,
  'charts/hooked/templates/migrate.yaml': hookJob('migrate', ['helm.sh/hook: pre-install,pre-upgrade', 'helm.sh/hook-weight: "-1"', 'helm.sh/hook-delete-policy: hook-succeeded']),
  'charts/hooked/templates/notify.yaml': hookJob('notify', ['helm.sh/hook: post-install,post-upgrade']),
  'charts/hooked/templates/tests/connection.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "{{ .Release.Name }}-test"\n  annotations: {helm.sh/hook: test}\nspec:\n  restartPolicy: Never\n  containers: [{name: test, image: "busybox:1.36"}]\n',
});

describe('hooks and prune confirmation through push → render → sync', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ workloads: true });
    redis = new Redis(env.redis.url);
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    batch = env.cluster.kubeConfig.makeApiClient(BatchV1Api);
    await env.writeConfig('hooked-chart.yaml', applicationYaml(env.repo.url));
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  const exists = (read: () => Promise<unknown>) => read().then(() => true, (error: { code?: number }) => {
    if (error.code === 404) return false;
    throw error;
  });

  it('runs a chart\'s pre-install and post-install hook Jobs to completion and never applies its test Pod', async () => {
    const commit = await env.repo.commit(chart(true), 'Add the shop chart with hooks');
    const result = await waitForSync(redis, app, commit.sha, 180_000);
    expect(result.phase).toBe('Succeeded');
    const byName = new Map(result.objects.map((object) => [object.name, object]));
    expect(byName.get('shop-migrate')?.message).toBe('PreSync hook succeeded: Job completed; deleted (HookSucceeded)');
    expect(byName.get('shop-notify')?.message).toBe('PostSync hook succeeded: Job completed');
    expect(byName.get('shop-test')).toMatchObject({ outcome: 'skipped', message: 'Helm hook test not run: Argo CD has no equivalent' });
    expect(await exists(() => core.readNamespacedConfigMap({ namespace: 'shop', name: 'shop-settings' }))).toBe(true);
    expect(await exists(() => batch.readNamespacedJob({ namespace: 'shop', name: 'shop-migrate' }))).toBe(false);
    const notify = await batch.readNamespacedJob({ namespace: 'shop', name: 'shop-notify' });
    expect(notify.status?.conditions?.find((condition) => condition.type === 'Complete')?.status).toBe('True');
    expect(await exists(() => core.readNamespacedPod({ namespace: 'shop', name: 'shop-test' }))).toBe(false);
  });

  it('keeps a Prune=confirm object that left Git until an operator confirms through the control queue', async () => {
    const commit = await env.repo.commit(chart(false), 'Drop the precious ConfigMap');
    const result = await waitForSync(redis, app, commit.sha, 180_000);
    expect(result.phase).toBe('Succeeded');
    expect(result.message).toBe('waiting for prune confirmation: ConfigMap shop-precious in namespace shop; confirm with a confirm-prune control request');
    expect(await exists(() => core.readNamespacedConfigMap({ namespace: 'shop', name: 'shop-precious' }))).toBe(true);

    const confirmed = await requestControl({ kind: 'confirm-prune', app, actor: 'carol', trace: {} }, { redisUrl: env.redis.url });
    expect(confirmed).toMatchObject({ kind: 'confirm-prune', app, pruned: ['ConfigMap shop-precious in namespace shop'] });
    await waitFor('the confirmed object to be gone', async () => !(await exists(() => core.readNamespacedConfigMap({ namespace: 'shop', name: 'shop-precious' }))));
    expect(await exists(() => core.readNamespacedConfigMap({ namespace: 'shop', name: 'shop-settings' }))).toBe(true);
  });
});
