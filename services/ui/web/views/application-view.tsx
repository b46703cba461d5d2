import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, segment, type Application, type ResourceNode } from '../api/client.ts';
import { ActionButton } from '../components/action-button.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { HealthBadge, shortSha, SyncBadge, timeAgo } from '../components/status.tsx';
import { navigate, setQuery, useLocation } from '../router.ts';
import { HistoryPanel } from './history-panel.tsx';
import { ResourceDrawer } from './resource-drawer.tsx';
import { buildTree, resourceId, ResourceTree } from './resource-tree.tsx';
import { SyncPanel } from './sync-panel.tsx';

export function ApplicationView({ name }: { name: string }) {
  const { query } = useLocation();
  const queryClient = useQueryClient();
  const tab = query.get('tab') === 'history' ? 'history' : 'tree';
  const app = useQuery({ queryKey: ['application', name], queryFn: ({ signal }) => api<Application>(`/api/v1/applications/${segment(name)}`, { signal }) });
  const [selected, setSelected] = useState<ResourceNode>();
  const [syncOpen, setSyncOpen] = useState(false);
  const resume = useMutation({
    mutationFn: () => api<{ resumed: boolean }>(`/api/v1/applications/${segment(name)}/resume`, { method: 'POST', body: {} }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['application', name] }),
  });
  // The resource tree route adds the live children (ReplicaSets, Pods, … with parentRefs); until it answers, or when
  // it fails, the app's own resources are shown.
  const liveTree = useQuery({
    queryKey: ['application', name, 'tree'],
    queryFn: ({ signal }) => api<{ nodes: ResourceNode[] }>(`/api/v1/applications/${segment(name)}/resource-tree`, { signal }),
    enabled: tab === 'tree',
  });
  const tree = useMemo(() => {
    const nodes = liveTree.data?.nodes ?? app.data?.status.resources;
    return nodes ? buildTree(name, nodes) : undefined;
  }, [liveTree.data, app.data, name]);

  if (app.isPending) return <p className="page">Loading {name}…</p>;
  if (app.error) {
    return (
      <div className="page">
        <p><a href="/applications" onClick={(event) => { event.preventDefault(); navigate('/applications'); }}>‹ Applications</a></p>
        <ErrorBox error={app.error} title={`Application ${name} could not be loaded`} />
      </div>
    );
  }
  const application = app.data;
  const { status } = application;
  const object = `${application.spec.project}/${name}`;
  const operation = status.operationState;
  return (
    <div className="page app-page">
      <p className="crumbs"><a href="/applications" onClick={(event) => { event.preventDefault(); navigate('/applications'); }}>Applications</a> › {name}</p>
      <div className="page-head">
        <h1>{name}</h1>
        <span data-testid="app-health"><HealthBadge status={status.health.status} /></span>
        <span data-testid="app-sync"><SyncBadge status={status.sync.status} /></span>
        <span>at <code data-testid="app-revision" title={status.sync.revision}>{shortSha(status.sync.revision)}</code></span>
        <span className="muted">project {application.spec.project} · reconciled {timeAgo(status.reconciledAt)}</span>
        <span className="actions">
          <ActionButton permission={{ resource: 'applications', action: 'sync', object }} onClick={() => setSyncOpen(true)}>Sync…</ActionButton>
        </span>
      </div>
      {status.health.message ? <p className="message">{status.health.message}</p> : null}
      {status.conditions.map((condition) => <p key={condition.type + condition.message} className="condition" role="note"><strong>{condition.type}</strong> {condition.message}</p>)}
      {status.paused ? (
        <div className="banner" role="status" data-testid="paused">
          ⏸ Automated sync is paused at <code>{shortSha(status.paused.revision)}</code>{status.paused.by ? ` by ${status.paused.by}` : ''}{status.paused.reason ? `: ${status.paused.reason}` : ''}.
          <ActionButton permission={{ resource: 'applications', action: 'sync', object }} busy={resume.isPending} onClick={() => resume.mutate()}>Resume</ActionButton>
          <ErrorBox error={resume.error} />
        </div>
      ) : null}
      {operation ? (
        <p className={`operation op-${operation.phase.toLowerCase()}`} data-testid="operation">
          Last operation: {operation.operation.kind} {operation.phase}{operation.operation.initiatedBy.username ? ` (by ${operation.operation.initiatedBy.username})` : ''}
          {operation.message ? ` — ${operation.message}` : ''} {timeAgo(operation.finishedAt ?? operation.startedAt)}
        </p>
      ) : null}
      {status.summary?.images.length ? <p className="muted">Images: {status.summary.images.join(', ')}</p> : null}
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'tree'} onClick={() => setQuery({ tab: undefined })}>Resources ({status.resources.length})</button>
        <button type="button" role="tab" aria-selected={tab === 'history'} onClick={() => setQuery({ tab: 'history' })}>History and rollback</button>
      </div>
      <div className="app-body">
        <div className="app-main" role="tabpanel">
          {tab === 'tree' && tree ? <ResourceTree root={tree} selected={selected ? resourceId(selected) : undefined} onSelect={setSelected} /> : null}
          {tab === 'history' ? <HistoryPanel application={application} /> : null}
        </div>
        {selected && tab === 'tree' ? <ResourceDrawer app={name} resource={selected} onClose={() => setSelected(undefined)} /> : null}
        {syncOpen ? <SyncPanel application={application} onClose={() => setSyncOpen(false)} /> : null}
      </div>
    </div>
  );
}
