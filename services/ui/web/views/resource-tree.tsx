import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { ResourceNode } from '../api/client.ts';
import { HealthBadge, SyncBadge } from '../components/status.tsx';

export interface TreeNode {
  id: string;
  label: string;
  kind: string;
  resource?: ResourceNode;
  children: TreeNode[];
  /** Health counts of the subtree, shown on a folded node. */
  unhealthy: number;
  outOfSync: number;
}

export const resourceId = (resource: { group?: string; kind: string; namespace?: string; name: string }) =>
  `${resource.group ?? ''}/${resource.kind}/${resource.namespace ?? ''}/${resource.name}`;

/**
 * The application's resources as a tree: owner references where the API gives them (`parentRefs`: ReplicaSets and
 * Pods below their Deployment), else under their namespace (the Namespace object itself when the app manages it);
 * cluster-scoped objects under the app.
 */
export function buildTree(appName: string, resources: ResourceNode[]): TreeNode {
  const root: TreeNode = { id: `app/${appName}`, label: appName, kind: 'Application', children: [], unhealthy: 0, outOfSync: 0 };
  const byId = new Map<string, TreeNode>();
  for (const resource of resources) {
    byId.set(resourceId(resource), { id: resourceId(resource), label: resource.name, kind: resource.kind, resource, children: [], unhealthy: 0, outOfSync: 0 });
  }
  // Owners by uid, else by kind, namespace and name (a managed object the syncer has not seen live has no uid).
  const byUid = new Map<string, TreeNode>();
  const byName = new Map<string, TreeNode>();
  const nameKey = (ref: { kind: string; namespace?: string; name: string }) => `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  for (const node of byId.values()) {
    if (node.resource?.uid) byUid.set(node.resource.uid, node);
    if (node.resource) byName.set(nameKey(node.resource), node);
  }
  const namespaces = new Map<string, TreeNode>();
  for (const node of byId.values()) if (node.kind === 'Namespace' && node.resource) namespaces.set(node.resource.name, node);
  const namespaceNode = (name: string) => {
    let node = namespaces.get(name);
    if (!node) {
      node = { id: `ns/${name}`, label: name, kind: 'Namespace', children: [], unhealthy: 0, outOfSync: 0 };
      namespaces.set(name, node);
    }
    return node;
  };
  const findOwner = (ref: NonNullable<ResourceNode['parentRefs']>[number]) => (ref.uid ? byUid.get(ref.uid) : undefined) ?? byName.get(nameKey(ref));
  for (const node of byId.values()) {
    const resource = node.resource as ResourceNode;
    const owner = resource.parentRefs?.map(findOwner).find((found) => found !== undefined && found !== node);
    if (owner) owner.children.push(node);
    else if (node.kind === 'Namespace') continue;
    else if (resource.namespace) namespaceNode(resource.namespace).children.push(node);
    else root.children.push(node);
  }
  root.children.unshift(...[...namespaces.values()].sort((a, b) => a.label.localeCompare(b.label)));
  const order = (node: TreeNode): void => {
    node.children.sort((a, b) => (a.kind === 'Namespace' ? -1 : 0) - (b.kind === 'Namespace' ? -1 : 0) || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label));
    for (const child of node.children) {
      order(child);
      node.unhealthy += child.unhealthy + (child.resource?.health && child.resource.health.status !== 'Healthy' ? 1 : 0);
      node.outOfSync += child.outOfSync + (child.resource?.status === 'OutOfSync' ? 1 : 0);
    }
  };
  order(root);
  return root;
}

interface Row { node: TreeNode; depth: number }

function flatten(node: TreeNode, collapsed: Set<string>, filter: string, depth = 0, rows: Row[] = []): Row[] {
  const matches = !filter || `${node.kind} ${node.label}`.toLowerCase().includes(filter);
  const start = rows.length;
  rows.push({ node, depth });
  if (!collapsed.has(node.id) || filter) for (const child of node.children) flatten(child, collapsed, filter, depth + 1, rows);
  // With a filter, a node stays when it or a descendant matches.
  if (filter && !matches && rows.length === start + 1 && depth > 0) rows.pop();
  return rows;
}

/** The tree as virtualised rows: 2,000 resources render the ~30 rows on screen, not 2,000. */
export function ResourceTree({ root, selected, onSelect }: { root: TreeNode; selected?: string; onSelect: (resource: ResourceNode) => void }) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => flatten(root, collapsed, filter.trim().toLowerCase()), [root, collapsed, filter]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 30, overscan: 15 });
  const toggle = (id: string) => setCollapsed((current) => {
    const next = new Set(current);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  return (
    <div className="tree">
      <div className="tree-tools">
        <label>Filter resources<input type="search" value={filter} placeholder="kind or name…" onChange={(event) => setFilter(event.target.value)} /></label>
        <button type="button" onClick={() => setCollapsed(new Set(rows.filter((row) => row.node.children.length > 0 && row.depth > 0).map((row) => row.node.id)))}>Collapse all</button>
        <button type="button" onClick={() => setCollapsed(new Set())}>Expand all</button>
        <span className="count" data-testid="tree-count">{root.children.reduce(function count(total: number, node: TreeNode): number { return total + (node.resource ? 1 : 0) + node.children.reduce(count, 0); }, 0)} resources</span>
      </div>
      <div ref={scroller} className="tree-rows" role="tree" aria-label="resources">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const { node, depth } = rows[item.index];
            const open = !collapsed.has(node.id);
            return (
              <div key={node.id} role="treeitem" aria-level={depth + 1} aria-expanded={node.children.length ? open : undefined} aria-selected={selected === node.id}
                className={`tree-row${selected === node.id ? ' selected' : ''}`} data-testid="tree-row"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)`, paddingLeft: 8 + depth * 20 }}>
                {node.children.length ? (
                  <button type="button" className="twisty" aria-label={`${open ? 'collapse' : 'expand'} ${node.kind} ${node.label}`} onClick={() => toggle(node.id)}>{open ? '▾' : '▸'}</button>
                ) : <span className="twisty" />}
                <span className="kind">{node.kind}</span>
                {node.resource ? (
                  <button type="button" className="link" onClick={() => onSelect(node.resource as ResourceNode)}>{node.label}</button>
                ) : <strong>{node.label}</strong>}
                {node.resource?.health ? <HealthBadge status={node.resource.health.status} /> : null}
                {node.resource?.status ? <SyncBadge status={node.resource.status} /> : null}
                {!open && (node.unhealthy || node.outOfSync) ? <small className="folded">{node.unhealthy} not healthy · {node.outOfSync} out of sync</small> : null}
                {node.resource?.message ? <small className="message" title={node.resource.message}>{node.resource.message}</small> : null}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
