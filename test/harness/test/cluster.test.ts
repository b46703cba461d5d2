import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, type KubernetesObject,
} from '@kubernetes/client-node';
import { startCluster, waitFor, type TestCluster } from '../src/index.ts';

describe('startCluster (etcd + kube-apiserver)', () => {
  let cluster: TestCluster;
  beforeAll(async () => { cluster = await startCluster({ name: 'harness' }); });
  afterAll(async () => { await cluster?.stop(); });

  it('serves a versioned API over TLS with a bearer token', async () => {
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((ns) => ns.metadata?.name)).toContain('default');
  });

  it('server-side applies a ConfigMap and reads it back with its managedFields', async () => {
    const objects = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
    const configMap: KubernetesObject & { data: Record<string, string> } = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'harness-ssa', namespace: 'default' }, data: { greeting: 'hello' },
    };
    await objects.patch(configMap, undefined, undefined, 'tidewater-harness', true, PatchStrategy.ServerSideApply);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const live = await core.readNamespacedConfigMap({ name: 'harness-ssa', namespace: 'default' });
    expect(live.data).toEqual({ greeting: 'hello' });
    const managers = live.metadata?.managedFields?.map((f) => [f.manager, f.operation]);
    expect(managers).toContainEqual(['tidewater-harness', 'Apply']);
  });

  it('accepts a CRD and then a custom resource of it', async () => {
    const extensions = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
    // Server-side apply of the raw manifest, as a user writes it: the typed create call would serialise
    // `x-kubernetes-preserve-unknown-fields` under its camelCase model name and lose it.
    await cluster.apply({
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
        metadata: { name: 'virtualmachines.kubevirt.io' },
        spec: {
          group: 'kubevirt.io', scope: 'Namespaced',
          names: { plural: 'virtualmachines', singular: 'virtualmachine', kind: 'VirtualMachine', shortNames: ['vm'] },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
        },
    });
    await waitFor('the CRD to be Established', async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: 'virtualmachines.kubevirt.io' });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
    const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    await waitFor('the new resource to be served', async () => {
      await custom.createNamespacedCustomObject({
        group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachines',
        body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'rhel9-web' }, spec: { running: true } },
      });
      return true;
    });
    const vm = await custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachines', name: 'rhel9-web' }) as { spec: { running: boolean } };
    expect(vm.spec.running).toBe(true);
  });
});

describe('two clusters side by side', () => {
  let first: TestCluster;
  let second: TestCluster;
  beforeAll(async () => {
    [first, second] = await Promise.all([startCluster({ name: 'east' }), startCluster({ name: 'west' })]);
  });
  afterAll(async () => { await Promise.all([first?.stop(), second?.stop()]); });

  it('keeps their objects apart', async () => {
    expect(first.server).not.toBe(second.server);
    const eastCore = first.kubeConfig.makeApiClient(CoreV1Api);
    const westCore = second.kubeConfig.makeApiClient(CoreV1Api);
    await eastCore.createNamespace({ body: { metadata: { name: 'only-in-east' } } });
    const westNames = (await westCore.listNamespace()).items.map((ns) => ns.metadata?.name);
    const eastNames = (await eastCore.listNamespace()).items.map((ns) => ns.metadata?.name);
    expect(eastNames).toContain('only-in-east');
    expect(westNames).not.toContain('only-in-east');
  });
});

describe('startCluster({ workloads: true })', () => {
  let cluster: TestCluster;
  beforeAll(async () => { cluster = await startCluster({ name: 'workloads', workloads: true }); });
  afterAll(async () => { await cluster?.stop(); });

  it('rolls a Deployment out to Available on a kwok node', async () => {
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example.com/web:v1' }] } },
        },
      },
    });
    const available = await waitFor('the Deployment to become Available', async () => {
      const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
      const condition = deployment.status?.conditions?.find((c) => c.type === 'Available' && c.status === 'True');
      return condition && deployment.status?.readyReplicas === 2 ? deployment : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    expect(available.status?.availableReplicas).toBe(2);
  });
});
