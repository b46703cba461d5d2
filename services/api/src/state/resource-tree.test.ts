import { describe, expect, it } from 'vitest';
import { LiveTree, treeNodesOf } from './resource-tree.ts';

describe('treeNodesOf', () => {
  const resources = [
    { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'api', status: 'Synced' as const, health: { status: 'Healthy' } },
    { group: '', kind: 'ConfigMap', namespace: 'web', name: 'settings', status: 'OutOfSync' as const },
  ];
  const live = LiveTree.parse({
    managed: [{ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'api', uid: 'd-1', parentRefs: [] }],
    children: [
      {
        group: 'apps', version: 'v1', kind: 'ReplicaSet', namespace: 'web', name: 'api-5d8f', uid: 'rs-1', health: { status: 'Healthy' },
        parentRefs: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'api', uid: 'd-1' }],
      },
      {
        group: '', version: 'v1', kind: 'Pod', namespace: 'web', name: 'api-5d8f-x1', uid: 'p-1', health: { status: 'Progressing', message: 'ContainerCreating' },
        parentRefs: [{ group: 'apps', kind: 'ReplicaSet', namespace: 'web', name: 'api-5d8f', uid: 'rs-1' }],
      },
    ],
  });

  it('gives managed resources their live uid and appends the children with parentRefs and no sync status', () => {
    const nodes = treeNodesOf(resources, live);
    expect(nodes[0]).toEqual({ ...resources[0], uid: 'd-1' });
    expect(nodes[1]).toEqual(resources[1]);
    expect(nodes.slice(2)).toEqual([
      { group: 'apps', version: 'v1', kind: 'ReplicaSet', namespace: 'web', name: 'api-5d8f', uid: 'rs-1', health: { status: 'Healthy' }, parentRefs: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'api', uid: 'd-1' }] },
      { group: '', version: 'v1', kind: 'Pod', namespace: 'web', name: 'api-5d8f-x1', uid: 'p-1', health: { status: 'Progressing', message: 'ContainerCreating' }, parentRefs: [{ group: 'apps', kind: 'ReplicaSet', namespace: 'web', name: 'api-5d8f', uid: 'rs-1' }] },
    ]);
  });

  it('answers the managed resources alone when the syncer could not', () => {
    expect(treeNodesOf(resources, undefined)).toEqual(resources);
  });

  it('rejects a syncer answer of another shape instead of trusting it', () => {
    expect(LiveTree.safeParse({ managed: [], children: [{ kind: 'Pod' }] }).success).toBe(false);
  });
});
