import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { waitForSync } from './helpers.ts';

// The resource tree's live children (Deployment → ReplicaSet → Pods made by kube-controller-manager, run by kwok)
// and the Kubernetes Events of an app's objects, read through the API, which asks the syncer (the api holds no
// cluster credentials).

const app = 'guestbook-dev';
const namespace = 'guestbook-dev';
// The dev overlay prefixes names (kustomize namePrefix: dev-).
const deploymentName = 'dev-guestbook';

interface TreeNode {
  group: string; kind: string; namespace?: string; name: string; uid?: string; status?: string;
  health?: { status: string; message?: string };
  parentRefs?: Array<{ group: string; kind: string; namespace?: string; name: string; uid?: string }>;
}
interface EventList { items: Array<{ reason?: string; message?: string; type?: string; involvedObject: { kind?: string; name?: string; uid?: string }; lastTimestamp?: string }> }

describe('resource tree with owner references and Kubernetes events, through the API', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let token: string;

  const get = async (path: string) => fetch(`${env.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const tree = async () => {
    const response = await get(`/api/v1/applications/${app}/resource-tree`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { nodes: TreeNode[] }).nodes;
  };
  /** waitFor, failing with the last answer seen (what the tree or the events held) so a failure says why. */
  const waitForAnswer = async <T, R>(what: string, read: () => Promise<T>, accept: (answer: T) => R | undefined, timeoutMs: number): Promise<R> => {
    let last: T | undefined;
    try {
      return await waitFor(what, async () => {
        last = await read();
        return accept(last);
      }, { timeoutMs, intervalMs: 500 });
    } catch (error) {
      throw new Error(`${(error as Error).message}; last answer: ${JSON.stringify(last)?.slice(0, 4_000)}`);
    }
  };
  const events = async (query: string) => {
    const response = await get(`/api/v1/applications/${app}/events${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as EventList;
  };

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ workloads: true });
    redis = new Redis(env.redis.url);
    const session = await fetch(`${env.apiUrl}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: env.adminPassword }),
    });
    token = ((await session.json()) as { token: string }).token;
    expect((await waitForSync(redis, app, env.repo.head(), 180_000)).phase).toBe('Succeeded');
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  it('answers the Deployment\'s ReplicaSet and its Pods as children with parentRefs and health', async () => {
    const { nodes, deployment, replicaSet, pods } = await waitForAnswer('the ReplicaSet and a healthy Pod below the Deployment', tree, (current) => {
      const deploymentNode = current.find((node) => node.kind === 'Deployment' && node.name === deploymentName);
      const replicaSetNode = current.find((node) => node.kind === 'ReplicaSet' && node.parentRefs?.some((ref) => ref.uid && ref.uid === deploymentNode?.uid));
      const podNodes = current.filter((node) => node.kind === 'Pod' && node.parentRefs?.some((ref) => ref.uid && ref.uid === replicaSetNode?.uid));
      return podNodes.some((pod) => pod.health?.status === 'Healthy') ? { nodes: current, deployment: deploymentNode!, replicaSet: replicaSetNode!, pods: podNodes } : undefined;
    }, 150_000);

    // The managed Deployment keeps its sync status and gains its live uid; children carry no sync status.
    expect(deployment).toMatchObject({ group: 'apps', kind: 'Deployment', namespace, status: 'Synced' });
    expect(deployment.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(replicaSet).toMatchObject({ group: 'apps', namespace, parentRefs: [{ group: 'apps', kind: 'Deployment', namespace, name: deploymentName, uid: deployment.uid }] });
    expect(replicaSet.name.startsWith(`${deploymentName}-`)).toBe(true);
    expect(replicaSet.status).toBeUndefined();
    expect(replicaSet.health?.status).toBe('Healthy');
    expect(pods[0]).toMatchObject({ group: '', namespace, parentRefs: [{ group: 'apps', kind: 'ReplicaSet', name: replicaSet.name, uid: replicaSet.uid }] });

    // The uids are the cluster's own.
    const live = await env.cluster.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: deploymentName, namespace });
    expect(deployment.uid).toBe(live.metadata?.uid);
    // Objects the app does not own (the ConfigMap, the Service) stay as they were: no parentRefs.
    expect(nodes.find((node) => node.kind === 'ConfigMap')?.parentRefs).toBeUndefined();
  }, 200_000);

  it('serves the Kubernetes events of one resource and of the whole app, newest first', async () => {
    const deploymentEvents = await waitForAnswer('ScalingReplicaSet on the Deployment', () => events(`?resourceName=${deploymentName}&resourceNamespace=${namespace}`),
      (list) => (list.items.some((event) => event.reason === 'ScalingReplicaSet') ? list : undefined), 90_000);
    expect(deploymentEvents.items.every((event) => event.involvedObject.kind === 'Deployment' && event.involvedObject.name === deploymentName)).toBe(true);
    expect(deploymentEvents.items[0]).toMatchObject({ type: 'Normal', involvedObject: { kind: 'Deployment', name: deploymentName } });
    expect(deploymentEvents.items[0].message).toContain(`${deploymentName}-`);

    const all = await waitForAnswer('events of the ReplicaSet too', () => events(''),
      (list) => (list.items.some((event) => event.involvedObject.kind === 'ReplicaSet' && event.reason === 'SuccessfulCreate') ? list : undefined), 60_000);
    const stamps = all.items.map((event) => event.lastTimestamp ?? '');
    expect([...stamps].sort().reverse()).toEqual(stamps);
  }, 200_000);

  it('refuses events of another namespace and never answers events of an object the app does not own', async () => {
    // A namespace the app has nothing in: 404 naming the app's namespaces, and the syncer is not even asked.
    const elsewhere = await get(`/api/v1/applications/${app}/events?resourceName=guestbook&resourceNamespace=guestbook-staging`);
    expect(elsewhere.status).toBe(404);
    expect(((await elsewhere.json()) as { message: string }).message).toBe(`resource guestbook in namespace guestbook-staging of application ${app} (its namespaces: ${namespace}) not found`);
    expect((await get(`/api/v1/applications/${app}/events?resourceName=coredns&resourceNamespace=kube-system`)).status).toBe(404);

    // An object in the app's namespace that the app does not own: the cluster has events of it, the API answers none.
    const apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'intruder' },
        spec: {
          replicas: 1, selector: { matchLabels: { run: 'intruder' } },
          template: { metadata: { labels: { run: 'intruder' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } },
        },
      },
    });
    const core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    await waitFor('the cluster to record events of the intruder', async () =>
      (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=intruder' })).items.length > 0, { timeoutMs: 60_000, intervalMs: 500 });
    expect((await events(`?resourceName=intruder&resourceNamespace=${namespace}`)).items).toEqual([]);
    expect((await events('')).items.filter((event) => event.involvedObject.name?.startsWith('intruder'))).toEqual([]);
    // Nor is it placed in the tree.
    expect((await tree()).filter((node) => node.name.startsWith('intruder'))).toEqual([]);
  }, 120_000);
});
