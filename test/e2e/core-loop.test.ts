import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { describePush, sendGithubPush, waitFor } from '../harness/src/index.ts';
import { giteaHeaders, giteaPushPayload, gitlabHeaders, gitlabPushPayload } from '../../services/gateway/src/providers/fixtures/push-payloads.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf, jobIdsIn, waitForSync } from './helpers.ts';

const appLabel = 'tidewater.dev/app';

describe('the core loop: signed push → render → server-side apply → prune', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let seedRevision: string;

  beforeAll(async () => {
    env = await startTidewaterEnvironment();
    redis = new Redis(env.redis.url);
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
    seedRevision = env.repo.head();
    for (const app of env.config().applications) await waitForSync(redis, app.metadata.name, seedRevision);
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  it('applies every example application from the first push, with the tracking label', async () => {
    const deployment = await apps.readNamespacedDeployment({ name: 'dev-guestbook', namespace: 'guestbook-dev' });
    expect(deployment.metadata?.labels?.[appLabel]).toBe('guestbook-dev');
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.metadata?.managedFields?.some((f) => f.manager === 'tidewater' && f.operation === 'Apply')).toBe(true);
    const namespace = await core.readNamespace({ name: 'guestbook-dev' });
    expect(namespace.metadata?.name).toBe('guestbook-dev');
    const configMaps = await core.listNamespacedConfigMap({ namespace: 'plain-configs', labelSelector: `${appLabel}=plain-configs` });
    expect(configMaps.items.length).toBeGreaterThanOrEqual(2);
  });

  it('a push to the Kustomize dev overlay reaches the cluster and renders no other app', async () => {
    const overlay = 'apps/guestbook/overlays/dev/kustomization.yaml';
    const current = await readFile(env, overlay);
    const commit = await env.repo.commit({ [overlay]: current.replace(/count: 1/, 'count: 3') }, 'Scale guestbook-dev to 3');
    const result = await waitForSync(redis, 'guestbook-dev', commit.sha);
    expect(result.phase).toBe('Succeeded');
    const deployment = await apps.readNamespacedDeployment({ name: 'dev-guestbook', namespace: 'guestbook-dev' });
    expect(deployment.spec?.replicas).toBe(3);
    const [received] = await eventsOf(redis, eventTypes.webhookReceived, { revision: commit.sha });
    expect(received.data.apps).toEqual(['guestbook-dev']);
    expect(await eventsOf(redis, eventTypes.renderStarted, { app: 'guestbook-staging', revision: commit.sha })).toEqual([]);
    expect(await jobIdsIn(env.redis.url, 'render')).not.toContain(`render:guestbook-staging:${commit.sha}`);
  });

  it('a resource removed from Git is pruned from the cluster', async () => {
    const base = 'apps/guestbook/base/kustomization.yaml';
    const current = await readFile(env, base);
    expect(current).toContain('configmap.yaml');
    const commit = await env.repo.commit({ [base]: current.replace(/\n\s*-\s*configmap\.yaml/, '') }, 'Drop the guestbook ConfigMap');
    const result = await waitForSync(redis, 'guestbook-dev', commit.sha);
    expect(result.phase).toBe('Succeeded');
    const configMaps = await core.listNamespacedConfigMap({ namespace: 'guestbook-dev', labelSelector: `${appLabel}=guestbook-dev` });
    expect(configMaps.items).toEqual([]);
    const pruned = await eventsOf(redis, eventTypes.resourcePruned, { app: 'guestbook-dev', revision: commit.sha });
    expect(pruned.map((event) => event.data.kind)).toContain('ConfigMap');
    // The base is shared: staging follows too, through the source paths the renderer recorded.
    await waitForSync(redis, 'guestbook-staging', commit.sha);
  });

  it('refuses a push with a bad signature and queues nothing', async () => {
    env.repo.setWebhook(undefined);
    const commit = await env.repo.commit({ 'apps/plain-configs/app-settings.yaml': (await readFile(env, 'apps/plain-configs/app-settings.yaml')) + '# unsigned\n' }, 'Unsigned change');
    const push = githubPush(env, commit.sha);
    const response = await sendGithubPush(`${env.gatewayUrl}/webhooks/git/github`, 'not-the-secret', push);
    expect(response.status).toBe(401);
    expect(await jobIdsIn(env.redis.url, 'render')).not.toContain(`render:plain-configs:${commit.sha}`);
    // Refusals are counted (tidewater_webhook_rejected_total), never written to the events stream.
    expect(await eventsOf(redis, eventTypes.webhookRejected)).toEqual([]);
    const metrics = await (await fetch(`${env.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/tidewater_webhook_rejected_total\{provider="github",reason="signature_invalid"\} [1-9]/);
    expect(metrics).not.toContain(env.webhookSecret);

    // The same delivery twice makes one job.
    const deliveryId = randomUUID();
    const first = await sendGithubPush(`${env.gatewayUrl}/webhooks/git/github`, env.webhookSecret, push, deliveryId);
    const second = await sendGithubPush(`${env.gatewayUrl}/webhooks/git/github`, env.webhookSecret, push, deliveryId);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(JSON.parse(second.body)).toMatchObject({ duplicate: true });
    expect((await jobIdsIn(env.redis.url, 'render')).filter((id) => id === `render:plain-configs:${commit.sha}`)).toHaveLength(1);
    await waitForSync(redis, 'plain-configs', commit.sha);
    env.repo.setWebhook({ url: `${env.gatewayUrl}/webhooks/git/github`, secret: env.webhookSecret });
  });

  it('a burst of 20 pushes ends at the last commit with far fewer renders', async () => {
    // Twenty commits land, then their twenty webhooks arrive at once and in no particular order, as a
    // provider delivers a burst.
    env.repo.setWebhook(undefined);
    const file = 'apps/plain-configs/feature-flags.yaml';
    const original = await readFile(env, file);
    const pushes: Array<ReturnType<typeof githubPush>> = [];
    for (let i = 1; i <= 20; i++) {
      const commit = await env.repo.commit({ [file]: `${original.trimEnd()}\n# burst ${i}\n` }, `Burst ${i}`);
      pushes.push(githubPush(env, commit.sha));
    }
    const revisions = pushes.map((push) => push.after);
    const last = revisions.at(-1) as string;
    const shuffled = [...pushes].sort(() => Math.random() - 0.5);
    const responses = await Promise.all(shuffled.map((push) => sendGithubPush(`${env.gatewayUrl}/webhooks/git/github`, env.webhookSecret, push)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));
    env.repo.setWebhook({ url: `${env.gatewayUrl}/webhooks/git/github`, secret: env.webhookSecret });

    const result = await waitForSync(redis, 'plain-configs', last);
    expect(result.phase).toBe('Succeeded');
    const renders = (await eventsOf(redis, eventTypes.renderStarted, { app: 'plain-configs' }))
      .filter((event) => revisions.includes(String(event.data.revision)));
    expect(renders.length).toBeLessThanOrEqual(5);
    expect(renders.map((event) => event.data.revision)).toContain(last);
    const configMap = await core.readNamespacedConfigMap({ name: 'feature-flags', namespace: 'plain-configs' }).catch(() => undefined);
    if (configMap) expect(configMap.metadata?.labels?.[appLabel]).toBe('plain-configs');
    // Nothing later overtakes the newest commit.
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.parse(await redis.get('tidewater:app:plain-configs:sync') as string).revision).toBe(last);
  });

  it('a guardrail violation applies nothing and names the object', async () => {
    const commit = await env.repo.commit({
      'apps/plain-configs/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: should-not-exist\ndata:\n  a: "1"\n',
      'apps/plain-configs/cluster-role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: sneaky-admin\nrules:\n- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]\n',
    }, 'Sneak in a ClusterRole');
    const result = await waitForSync(redis, 'plain-configs', commit.sha);
    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(/ClusterRole.*sneaky-admin/);
    // The status is written just before the event is published: wait for the event rather than race it.
    const [failed] = await waitFor('the sync.failed event', async () => {
      const events = await eventsOf(redis, eventTypes.syncFailed, { app: 'plain-configs', revision: commit.sha });
      return events.length > 0 ? events : undefined;
    });
    expect(JSON.stringify(failed!.data)).toMatch(/sneaky-admin/);
    await expect(core.readNamespacedConfigMap({ name: 'should-not-exist', namespace: 'plain-configs' })).rejects.toThrow();
    // Put things back for the tests after this one.
    const fixed = await env.repo.commit({ 'apps/plain-configs/extra.yaml': null, 'apps/plain-configs/cluster-role.yaml': null }, 'Remove the ClusterRole');
    await waitForSync(redis, 'plain-configs', fixed.sha);
  });

  it('renders a Helm chart with per-environment values and follows a change to them', async () => {
    const deployment = await waitFor('the podinfo Deployment', async () => (await apps.listNamespacedDeployment({ namespace: 'podinfo-dev', labelSelector: `${appLabel}=podinfo-dev` })).items[0]);
    const values = 'environments/dev/values.yaml';
    const current = await readFile(env, values);
    const replicas = Number(/replicaCount:\s*(\d+)/.exec(current)?.[1]);
    expect(deployment.spec?.replicas).toBe(replicas);
    const commit = await env.repo.commit({ [values]: current.replace(/replicaCount:\s*\d+/, `replicaCount: ${replicas + 2}`) }, 'More podinfo in dev');
    await waitForSync(redis, 'podinfo-dev', commit.sha);
    const updated = await apps.readNamespacedDeployment({ name: deployment.metadata?.name as string, namespace: 'podinfo-dev' });
    expect(updated.spec?.replicas).toBe(replicas + 2);
  });

  it('applies a CRD and its custom resource in one sync (KubeVirt-style VirtualMachine)', async () => {
    await env.writeConfig('vms.yaml', [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata: {name: vms}', 'spec:', '  project: default',
      `  source: {repoURL: "${env.repo.url}", targetRevision: main, path: apps/vms}`,
      '  destination: {server: "https://kubernetes.default.svc", namespace: vms}',
      '  syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}', '',
    ].join('\n'));
    const commit = await env.repo.commit({
      'apps/vms/crd.yaml': virtualMachineCrd,
      'apps/vms/vm.yaml': 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: rhel9-web\nspec:\n  running: true\n  template:\n    spec:\n      domain:\n        cpu: {cores: 2}\n        memory: {guest: 4Gi}\n',
    }, 'Add a VirtualMachine and its CRD');
    const result = await waitForSync(redis, 'vms', commit.sha);
    expect(result.phase).toBe('Succeeded');
    const custom = env.cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    const vm = await custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'vms', plural: 'virtualmachines', name: 'rhel9-web' }) as { spec: { running: boolean; template: unknown } };
    expect(vm.spec.running).toBe(true);
    expect(vm.spec.template).toEqual({ spec: { domain: { cpu: { cores: 2 }, memory: { guest: '4Gi' } } } });
  });

  it('accepts GitLab and Gitea pushes for the same repository', async () => {
    env.repo.setWebhook(undefined);
    const url = new URL(env.repo.url);
    const path = url.pathname.replace(/^\//, '').replace(/\.git$/, '');
    const file = 'apps/plain-configs/app-settings.yaml';

    const viaGitlab = await env.repo.commit({ [file]: (await readFile(env, file)) + '# from gitlab\n' }, 'GitLab push');
    const gitlabBody = JSON.stringify(gitlabPushPayload({
      pathWithNamespace: path, host: url.host, ref: 'refs/heads/main', after: viaGitlab.sha,
      commits: [{ id: viaGitlab.sha, modified: [file] }],
    }));
    const gitlab = await fetch(`${env.gatewayUrl}/webhooks/git/gitlab`, { method: 'POST', headers: gitlabHeaders(env.webhookSecret), body: gitlabBody });
    expect(gitlab.status).toBe(202);
    await waitForSync(redis, 'plain-configs', viaGitlab.sha);

    const viaGitea = await env.repo.commit({ [file]: (await readFile(env, file)) + '# from gitea\n' }, 'Gitea push');
    const [owner, name] = path.split('/');
    const giteaBody = JSON.stringify(giteaPushPayload({
      owner, name, host: url.host, ref: 'refs/heads/main', after: viaGitea.sha, commits: [{ id: viaGitea.sha, modified: [file] }],
    }));
    const gitea = await fetch(`${env.gatewayUrl}/webhooks/git/gitea`, { method: 'POST', headers: giteaHeaders(giteaBody, env.webhookSecret), body: giteaBody });
    expect(gitea.status).toBe(202);
    await waitForSync(redis, 'plain-configs', viaGitea.sha);
    env.repo.setWebhook({ url: `${env.gatewayUrl}/webhooks/git/github`, secret: env.webhookSecret });
  });

  it('serves Prometheus metrics that agree with what happened', async () => {
    const text = await (await fetch(`${env.gatewayUrl}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 'NaN');
    expect(value(/^tidewater_app_sync_total\{app="guestbook-dev",phase="Succeeded"\} (\d+)/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^tidewater_app_sync_total\{app="plain-configs",phase="Failed"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^tidewater_webhook_requests_total\{provider="github",outcome="rejected"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^tidewater_app_pruned_objects_total\{app="guestbook-dev"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^tidewater_job_duration_seconds_count\{queue="tidewater-sync",result="completed"\} \d+/m);
    expect(text).toMatch(/^tidewater_queue_jobs\{queue="tidewater-render",state="completed"\} \d+/m);
  });
});

function githubPush(env: TidewaterEnvironment, sha: string) {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const before = spawnSync('git', ['--git-dir', env.repo.gitDir, 'rev-parse', `${sha}~1`], { encoding: 'utf8' }).stdout.trim();
  return {
    cloneUrl: env.repo.url, fullName: 'tidewater/gitops-repo', ref: 'refs/heads/main',
    before, after: sha, commits: describePush(env.repo.gitDir, 'refs/heads/main', before, sha),
  };
}

async function readFile(env: TidewaterEnvironment, path: string): Promise<string> {
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync('git', ['--git-dir', env.repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git show main:${path}: ${result.stderr}`);
  return result.stdout;
}

const virtualMachineCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: virtualmachines.kubevirt.io
spec:
  group: kubevirt.io
  scope: Namespaced
  names: {plural: virtualmachines, singular: virtualmachine, kind: VirtualMachine, shortNames: [vm, vms]}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`;
