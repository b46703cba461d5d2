import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiextensionsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { AppOutOfSyncData, eventTypes } from '@tidewater/events';
import { readHistory } from '@tidewater/syncer';
import { requestControl } from '@tidewater/tide';
import type { SyncResult } from '@tidewater/queues';
import { waitFor } from '../harness/src/index.ts';
import { eventsOf, waitForSync } from './helpers.ts';
import {
  applicationYaml, configMapYaml, startSyncModesEnvironment, waitForComparison, type SyncModesEnvironment,
} from './sync-modes-environment.ts';

const slowObjects = 400;
const seed = {
  'apps/auto-start/settings.yaml': configMapYaml('auto-settings', { mode: 'automated' }),
  'apps/manual-web/settings.yaml': configMapYaml('settings', { color: 'blue' }),
  'apps/disabled-auto/settings.yaml': configMapYaml('disabled-auto', { a: '1' }),
  'apps/refused/settings.yaml': configMapYaml('refused-settings', { a: '1' }),
  'apps/slow/objects.yaml': Array.from({ length: slowObjects }, (_, index) => configMapYaml(`slow-${index}`, { index: String(index) }, { wave: index })).join('---\n'),
  'apps/retry-timed/settings.yaml': configMapYaml('timed', { a: '1' }),
  'apps/needs-ns/settings.yaml': configMapYaml('needs-ns', { a: '1' }),
  'apps/needs-crd/widget.yaml': 'apiVersion: example.tidewater.dev/v1\nkind: Widget\nmetadata: {name: first-widget}\nspec: {size: 3}\n',
};
const restrictedProject = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: AppProject',
  'metadata: {name: restricted}',
  'spec:',
  '  sourceRepos: ["*"]',
  '  destinations: [{name: in-cluster, namespace: "allowed-*"}]',
  '  clusterResourceWhitelist: [{group: "", kind: Namespace}]',
  '',
].join('\n');
const config = {
  'auto-start.yaml': applicationYaml('auto-start', 'REPO_URL', { namespace: 'auto-start', automated: true }),
  'manual-web.yaml': applicationYaml('manual-web', 'REPO_URL', { namespace: 'manual-web' }),
  'disabled-auto.yaml': applicationYaml('disabled-auto', 'REPO_URL', { namespace: 'disabled-auto', automated: '{enabled: false, prune: true, selfHeal: true}' }),
  'refused.yaml': applicationYaml('refused', 'REPO_URL', { namespace: 'refused-ns', project: 'restricted', automated: true }),
  'project.yaml': restrictedProject,
  'slow.yaml': applicationYaml('slow', 'REPO_URL', { namespace: 'slow' }),
  'retry-timed.yaml': applicationYaml('retry-timed', 'REPO_URL', {
    namespace: 'never-created', automated: true, syncOptions: [], retry: '{limit: 2, backoff: {duration: 1s, factor: 1}}',
  }),
  'needs-ns.yaml': applicationYaml('needs-ns', 'REPO_URL', {
    namespace: 'late-ns', automated: true, syncOptions: [], retry: '{limit: 3, backoff: {duration: 10m}}',
  }),
  'needs-crd.yaml': applicationYaml('needs-crd', 'REPO_URL', { namespace: 'needs-crd', automated: true }),
};

describe('manual and automated sync, sync requests, terminate and retries (real control plane)', () => {
  let env: SyncModesEnvironment;
  let core: CoreV1Api;
  let seedRevision: string;
  const configMap = (name: string, namespace: string) => core.readNamespacedConfigMap({ name, namespace }).then((found) => found, () => undefined);
  const sync = (app: string, options: Partial<Extract<Parameters<typeof requestControl>[0], { kind: 'sync' }>> = {}) =>
    requestControl({ kind: 'sync', app, actor: 'alice', trace: {}, prune: false, dryRun: false, force: false, syncOptions: [], ...options }, { redisUrl: env.redis.url }) as
      Promise<{ kind: 'sync'; revision: string; result: SyncResult }>;

  beforeAll(async () => {
    env = await startSyncModesEnvironment({ seed, config });
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    seedRevision = env.repo.head();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('syncs an automated application as soon as Tidewater starts, without a webhook', async () => {
    const result = await waitForSync(env.client, 'auto-start', seedRevision);
    expect(result).toMatchObject({ phase: 'Succeeded', trigger: { kind: 'reconcile' } });
    expect((await configMap('auto-settings', 'auto-start'))?.data).toEqual({ mode: 'automated' });
    expect(await waitForComparison(env, 'auto-start', seedRevision, 'Synced')).toMatchObject({ syncPolicy: 'automated' });
  });

  it('compares a manual application at start and on push: OutOfSync, an event, the diff, and nothing applied', async () => {
    const atStart = await waitForComparison(env, 'manual-web', seedRevision, 'OutOfSync');
    expect(atStart.objects).toEqual([expect.objectContaining({ kind: 'ConfigMap', name: 'settings', status: 'added' })]);
    expect(await env.health('manual-web')).toMatchObject({ status: 'Missing' });

    const pushed = await env.repo.commit({
      'apps/manual-web/settings.yaml': configMapYaml('settings', { color: 'green' }),
      'apps/manual-web/extra.yaml': configMapYaml('extra', { added: 'yes' }),
    }, 'Manual app: a second object');
    const compared = await waitForComparison(env, 'manual-web', pushed.sha, 'OutOfSync');
    expect(compared.objects.map((object) => `${object.name}:${object.status}`).sort()).toEqual(['extra:added', 'settings:added']);
    const [event] = await eventsOf(env.client, eventTypes.appOutOfSync, { app: 'manual-web', revision: pushed.sha });
    const data = AppOutOfSyncData.parse(event.data);
    expect(data).toMatchObject({ syncPolicy: 'manual', outOfSyncCount: 2 });

    // Nothing was applied: no namespace, no object, no sync recorded.
    expect(await configMap('settings', 'manual-web')).toBeUndefined();
    expect(await core.readNamespace({ name: 'manual-web' }).then(() => true, () => false)).toBe(false);
    expect(await env.syncStatus('manual-web')).toBeUndefined();
    expect(await readHistory(env.client, 'manual-web')).toEqual([]);


    const diff = await requestControl({ kind: 'diff', app: 'manual-web', revision: pushed.sha, trace: {} }, { redisUrl: env.redis.url }) as { objects: Array<{ name: string; status: string; diff: string }> };
    expect(diff.objects.find((object) => object.name === 'settings')).toMatchObject({ status: 'added', diff: expect.stringContaining('color: green') });
  });

  it('treats automated.enabled: false as manual (Argo CD 3): compared, not applied', async () => {
    const comparison = await waitForComparison(env, 'disabled-auto', seedRevision, 'OutOfSync');
    expect(comparison).toMatchObject({ syncPolicy: 'manual', objects: [expect.objectContaining({ name: 'disabled-auto', status: 'added' })] });
    expect(await configMap('disabled-auto', 'disabled-auto')).toBeUndefined();
    expect(await env.syncStatus('disabled-auto')).toBeUndefined();
  });

  it('applies a manual application only on a sync request: dry run, then selected resources, then all', async () => {
    const head = env.repo.head();
    const dryRun = await sync('manual-web', { dryRun: true });
    expect(dryRun.result).toMatchObject({ phase: 'Succeeded', dryRun: true, revision: head });
    expect(dryRun.result.objects.map((object) => object.outcome)).toEqual(['created', 'created']);
    expect(await configMap('settings', 'manual-web')).toBeUndefined();

    // Requests that cannot be carried out as asked are refused with what to do instead; nothing is applied.
    await expect(sync('manual-web', { resources: ['ConfigMap/settings'] })).rejects.toThrow(/resource "ConfigMap\/settings" is not group:kind:name/);
    await expect(sync('manual-web', { resources: [':ConfigMap:nothing-like-it'] })).rejects.toThrow(/none of the selected resources/);
    await expect(sync('manual-web', { revision: 'no-such-branch' })).rejects.toThrow(/cannot resolve no-such-branch of application manual-web: .*no branch or tag no-such-branch/);
    await expect(sync('not-configured')).rejects.toThrow(/application not-configured is not in the configuration/);
    expect(await configMap('settings', 'manual-web')).toBeUndefined();
    expect(await readHistory(env.client, 'manual-web')).toEqual([]);

    const selective = await sync('manual-web', { resources: [':ConfigMap:manual-web/extra'] });
    expect(selective.result.phase).toBe('Succeeded');
    expect((await configMap('extra', 'manual-web'))?.data).toEqual({ added: 'yes' });
    expect(await configMap('settings', 'manual-web')).toBeUndefined();
    expect(await env.comparison('manual-web')).toMatchObject({ status: 'OutOfSync', revision: head });

    // The operator's sync of the current revision (the renderer resolves the branch head).
    const full = await sync('manual-web');
    expect(full).toMatchObject({ revision: head, result: { phase: 'Succeeded', trigger: { kind: 'manual', actor: 'alice' } } });
    expect((await configMap('settings', 'manual-web'))?.data).toEqual({ color: 'green' });
    expect(await env.comparison('manual-web')).toMatchObject({ status: 'Synced', revision: head });
    const [latest] = await readHistory(env.client, 'manual-web');
    expect(latest).toMatchObject({ revision: head, phase: 'Succeeded', trigger: { kind: 'manual', actor: 'alice' } });

    // A later push is compared again, not applied.
    const next = await env.repo.commit({ 'apps/manual-web/settings.yaml': configMapYaml('settings', { color: 'red' }) }, 'Manual app: red');
    await waitForComparison(env, 'manual-web', next.sha, 'OutOfSync');
    expect((await configMap('settings', 'manual-web'))?.data).toEqual({ color: 'green' });
  });

  it('prunes what left Git only when the sync request asks for it', async () => {
    const removed = await env.repo.commit({ 'apps/manual-web/extra.yaml': null }, 'Manual app: drop extra');
    const compared = await waitForComparison(env, 'manual-web', removed.sha, 'OutOfSync');
    expect(compared.objects.find((object) => object.name === 'extra')).toMatchObject({ status: 'removed' });
    const kept = await sync('manual-web');
    expect(kept.result.objects.find((object) => object.name === 'extra')).toMatchObject({ outcome: 'skipped', message: expect.stringContaining('did not ask for prune') });
    expect(await configMap('extra', 'manual-web')).toBeDefined();
    const pruned = await sync('manual-web', { prune: true });
    expect(pruned.result.objects.find((object) => object.name === 'extra')).toMatchObject({ outcome: 'pruned' });
    await waitFor('extra deleted', async () => (await configMap('extra', 'manual-web')) === undefined);
    expect(await env.comparison('manual-web')).toMatchObject({ status: 'Synced', revision: removed.sha });
  });

  it('reports an application its project refuses as OutOfSync and Missing, never Synced', async () => {
    const comparison = await waitForComparison(env, 'refused', seedRevision, 'OutOfSync');
    expect(comparison.reason).toMatch(/not permitted by project restricted/);
    expect(await env.health('refused')).toMatchObject({ status: 'Missing' });
    expect(await env.syncStatus('refused')).toMatchObject({ phase: 'Failed' });
    expect(await configMap('refused-settings', 'refused-ns')).toBeUndefined();
  });

  it('terminates a running sync at the next object: Failed, "terminated by bob", the rest not applied', async () => {
    await waitForComparison(env, 'slow', seedRevision);
    const running = sync('slow').then(() => new Error('the sync finished'), (error: Error) => error);
    await waitFor('the slow sync to start', async () => (await eventsOf(env.client, eventTypes.syncStarted, { app: 'slow' })).length > 0, { timeoutMs: 60_000, intervalMs: 20 });
    const terminated = await requestControl({ kind: 'terminate', app: 'slow', actor: 'bob', trace: {} }, { redisUrl: env.redis.url }) as { terminated: boolean };
    expect(terminated.terminated).toBe(true);
    expect((await running).message).toMatch(/terminated by bob/);
    const status = await env.syncStatus('slow');
    expect(status).toMatchObject({ phase: 'Failed', message: expect.stringContaining('terminated by bob') });
    expect(status!.objects.filter((object) => object.outcome === 'skipped').length).toBeGreaterThan(0);
    const applied = (await core.listNamespacedConfigMap({ namespace: 'slow' })).items.filter((item) => item.metadata?.name?.startsWith('slow-'));
    expect(applied.length).toBeLessThan(slowObjects);
    expect(await eventsOf(env.client, eventTypes.syncTerminated, { app: 'slow' })).toHaveLength(1);
    // Nothing was retried: the last sync is still the terminated one.
    expect((await readHistory(env.client, 'slow'))[0].message).toMatch(/terminated by bob/);
  });

  it('retries a failed automated sync on syncPolicy.retry, visible as attempt n of limit', async () => {
    const history = await waitFor('three failed attempts of retry-timed', async () => {
      const entries = await readHistory(env.client, 'retry-timed');
      return entries.length >= 3 ? entries : undefined;
    }, { timeoutMs: 60_000 });
    const oldestFirst = history.slice(0, 3).reverse();
    expect(oldestFirst.every((entry) => entry.phase === 'Failed')).toBe(true);
    expect(oldestFirst[0].message).toMatch(/namespaces "never-created" not found.*retry attempt 1 of 2 at/);
    expect(oldestFirst[1].message).toMatch(/\(retry attempt 1 of 2\); retry attempt 2 of 2 at/);
    expect(oldestFirst[2].message).toMatch(/\(retry attempt 2 of 2\); no retries left \(limit 2\)/);
    expect(oldestFirst.map((entry) => entry.retry?.attempt)).toEqual([0, 1, 2]);
    expect(await env.syncStatus('retry-timed')).toMatchObject({ retry: { attempt: 2, limit: 2 } });
    expect(await eventsOf(env.client, eventTypes.syncRetryScheduled, { app: 'retry-timed' })).toHaveLength(2);
    // Announced OutOfSync once: the retries failed for the same reason.
    expect(await eventsOf(env.client, eventTypes.appOutOfSync, { app: 'retry-timed' })).toHaveLength(1);
    expect(await env.comparison('retry-timed')).toMatchObject({ status: 'OutOfSync', reason: expect.stringContaining('namespaces "never-created" not found') });
  });

  it('retries at once when the missing namespace is created, long before the next timed retry', async () => {
    const failed = await waitForSync(env.client, 'needs-ns', seedRevision);
    expect(failed.phase).toBe('Failed');
    expect(failed.message).toMatch(/retry attempt 1 of 3 at .*retried as soon as namespace late-ns appears/);
    await core.createNamespace({ body: { metadata: { name: 'late-ns' } } });
    // The timed retry is 10 minutes away: only the namespace watch can make this pass.
    await waitFor('needs-ns synced after its namespace appeared', async () => (await env.syncStatus('needs-ns'))?.phase === 'Succeeded', { timeoutMs: 60_000 });
    expect((await configMap('needs-ns', 'late-ns'))?.data).toEqual({ a: '1' });
  });

  it('retries at once when the missing CRD is established, even without a retry policy', async () => {
    const failed = await waitForSync(env.client, 'needs-crd', seedRevision);
    expect(failed.message).toMatch(/no kind Widget in group example.tidewater.dev.*retried as soon as kind Widget in example.tidewater.dev appears/);
    const apiextensions = env.cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await apiextensions.createCustomResourceDefinition({
      body: {
        metadata: { name: 'widgets.example.tidewater.dev' },
        spec: {
          group: 'example.tidewater.dev', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    await waitFor('needs-crd synced after its CRD was established', async () => (await env.syncStatus('needs-crd'))?.phase === 'Succeeded', { timeoutMs: 60_000 });
    await waitForComparison(env, 'needs-crd', seedRevision, 'Synced');
  });
});
