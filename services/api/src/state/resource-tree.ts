import { z } from 'zod';
import type { ResourceNode, ResourceStatus } from './application-schema.ts';

/** A live object as the syncer's `resource-tree` control job answers it (parsed: it crossed Redis). */
const LiveNode = z.object({
  group: z.string(), version: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(), uid: z.string(),
  parentRefs: z.array(z.object({ group: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string(), uid: z.string() })),
  health: z.object({ status: z.string(), message: z.string().optional() }).optional(),
  createdAt: z.string().optional(),
});

/** The syncer's answer to a `resource-tree` control job. */
export const LiveTree = z.object({ managed: z.array(LiveNode), children: z.array(LiveNode) });
export type LiveTree = z.infer<typeof LiveTree>;

const keyOf = (node: { group: string; kind: string; namespace?: string | undefined; name: string }) =>
  `${node.group}|${node.kind}|${node.namespace ?? ''}|${node.name}`;

/**
 * The resource tree (Argo CD's `ApplicationTree.nodes`): the app's managed resources with their sync and health,
 * each given its live uid when the syncer saw it, followed by the live children it found (with `parentRefs`).
 */
export function treeNodesOf(resources: ResourceStatus[], live: LiveTree | undefined): ResourceNode[] {
  if (!live) return resources;
  const uids = new Map(live.managed.map((node) => [keyOf(node), node.uid]));
  const managed: ResourceNode[] = resources.map((resource) => {
    const uid = uids.get(keyOf(resource));
    return uid ? { ...resource, uid } : resource;
  });
  const children: ResourceNode[] = live.children.map((child) => ({
    group: child.group, version: child.version, kind: child.kind, ...(child.namespace ? { namespace: child.namespace } : {}),
    name: child.name, uid: child.uid, parentRefs: child.parentRefs,
    ...(child.health ? { health: child.health } : {}), ...(child.createdAt ? { createdAt: child.createdAt } : {}),
  }));
  return [...managed, ...children];
}
