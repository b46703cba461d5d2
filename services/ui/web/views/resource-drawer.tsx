import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, segment, type KubernetesEvent, type ResourceNode, type StreamedEvent } from '../api/client.ts';
import type { paths } from '../api/openapi.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { LazyDiff } from '../components/lazy-diff.tsx';
import { HealthBadge, SyncBadge, timeAgo } from '../components/status.tsx';

export type ServerSideDiff = paths['/api/v1/applications/{name}/server-side-diff']['get']['responses']['200']['content']['application/json'];
type Managed = paths['/api/v1/applications/{name}/managed-resources']['get']['responses']['200']['content']['application/json'];

const same = (a: { group?: string; kind: string; namespace?: string; name: string }, b: typeof a) =>
  (a.group ?? '') === (b.group ?? '') && a.kind === b.kind && (a.namespace ?? '') === (b.namespace ?? '') && a.name === b.name;

/** JSON of a manifest as readable YAML-ish text (the API's desired state is JSON). */
function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export function useServerSideDiff(app: string, enabled: boolean) {
  return useQuery({
    queryKey: ['application', app, 'diff'],
    queryFn: ({ signal }) => api<ServerSideDiff>(`/api/v1/applications/${segment(app)}/server-side-diff`, { signal }),
    enabled, staleTime: 10_000,
  });
}

/** One resource: its live manifest, desired manifest, the full diff between them, and the events about it. */
export function ResourceDrawer({ app, resource, onClose }: { app: string; resource: ResourceNode; onClose: () => void }) {
  // A live child (a Pod of a Deployment) has no desired state: its events are what there is to see.
  const managedResource = resource.status !== undefined;
  const [tab, setTab] = useState<'diff' | 'live' | 'desired' | 'events'>(managedResource ? 'diff' : 'events');
  const identity = `${resource.group ?? ''}/${resource.kind}/${resource.namespace ?? ''}/${resource.name}`;
  useEffect(() => { setTab(managedResource ? 'diff' : 'events'); }, [identity, managedResource]);
  const diff = useServerSideDiff(app, managedResource);
  const managed = useQuery({
    queryKey: ['application', app, 'managed'],
    queryFn: ({ signal }) => api<Managed>(`/api/v1/applications/${segment(app)}/managed-resources`, { signal }),
    enabled: tab === 'desired',
  });
  const events = useQuery({
    queryKey: ['events', 'app', app],
    queryFn: ({ signal }) => api<{ items: StreamedEvent[] }>(`/api/v1/events?app=${segment(app)}&limit=1000`, { signal }),
    enabled: tab === 'events',
  });
  const kubernetesEvents = useQuery({
    queryKey: ['application', app, 'k8s-events', resource.namespace ?? '', resource.name, resource.uid ?? ''],
    queryFn: ({ signal }) => api<{ items: KubernetesEvent[] }>(`/api/v1/applications/${segment(app)}/events?${new URLSearchParams({
      resourceName: resource.name, ...(resource.namespace ? { resourceNamespace: resource.namespace } : {}), ...(resource.uid ? { resourceUID: resource.uid } : {}),
    }).toString()}`, { signal }),
    enabled: tab === 'events' && resource.namespace !== undefined,
  });
  const object = diff.data?.objects.find((candidate) => same(candidate, resource));
  const desired = managed.data?.items.find((candidate) => same(candidate, resource));
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => { closeButton.current?.focus(); }, [resource]);
  const about = (events.data?.items ?? []).filter((entry) => JSON.stringify(entry.event.data).includes(`"${resource.name}"`) || entry.event.subject?.includes(resource.name));
  const title = `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;

  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-label={title} onKeyDown={(event) => { if (event.key === 'Escape') onClose(); }}>
      <header>
        <h2>{title}</h2>
        <button ref={closeButton} type="button" onClick={onClose} aria-label="close the resource panel">✕</button>
      </header>
      <p><HealthBadge status={resource.health?.status} /> <SyncBadge status={resource.status} /> {resource.outcome ? <small>last sync: {resource.outcome}</small> : null}</p>
      {resource.health?.message ? <p className="message">{resource.health.message}</p> : null}
      <div className="tabs" role="tablist">
        {(['diff', 'live', 'desired', 'events'] as const).map((name) => (
          <button key={name} type="button" role="tab" aria-selected={tab === name} onClick={() => setTab(name)}>{{ diff: 'Diff', live: 'Live manifest', desired: 'Desired manifest', events: 'Events' }[name]}</button>
        ))}
      </div>
      <div className="drawer-body" role="tabpanel">
        {!managedResource && (tab === 'diff' || tab === 'live' || tab === 'desired') ? (
          <p>{resource.kind} {resource.name} was made in the cluster by a controller for one of the application's objects: it has no desired state to compare.</p>
        ) : null}
        {managedResource && tab === 'diff' ? (
          <>
            <ErrorBox error={diff.error} title="The diff could not be computed" />
            {diff.isPending ? <p>Comparing live and desired state (server-side dry run)…</p> : null}
            {diff.data && !object ? <p>The syncer's diff does not list this resource.</p> : null}
            {object?.message ? <p className="message">{object.message}</p> : null}
            {object ? (
              object.liveManifest !== undefined || object.desiredManifest !== undefined
                ? <LazyDiff before={object.liveManifest ?? ''} after={object.desiredManifest ?? ''} beforeLabel="live" afterLabel="desired" />
                : object.diff ? <pre className="patch">{object.diff}</pre> : <p>Live and desired state are the same.</p>
            ) : null}
          </>
        ) : null}
        {managedResource && tab === 'live' ? (diff.data ? <pre className="manifest" tabIndex={0}>{object?.liveManifest ?? 'not in the cluster'}</pre> : <ErrorBox error={diff.error} />) : null}
        {managedResource && tab === 'desired' ? (
          <>
            <ErrorBox error={managed.error} />
            {desired ? <pre className="manifest" tabIndex={0}>{pretty(desired.targetState)}</pre> : managed.data ? <p>Not in the latest synced bundle.</p> : null}
          </>
        ) : null}
        {tab === 'events' ? (
          <>
            <h3>Kubernetes events</h3>
            {resource.namespace === undefined ? <p>Events of cluster-scoped objects are not shown here.</p> : null}
            <ErrorBox error={kubernetesEvents.error} title="The cluster's events could not be read" />
            {kubernetesEvents.isPending && resource.namespace !== undefined ? <p>Reading the cluster's events…</p> : null}
            {kubernetesEvents.data?.items.length === 0 ? <p>The cluster holds no events of this resource (Kubernetes keeps them about an hour).</p> : null}
            <ul className="events" data-testid="kubernetes-events">
              {(kubernetesEvents.data?.items ?? []).slice(0, 100).map((event) => (
                <li key={event.metadata.uid ?? event.metadata.name} className={event.type === 'Warning' ? 'warning' : undefined}>
                  <code>{event.type ?? 'Normal'} {event.reason ?? ''}</code> <small>{timeAgo(event.lastTimestamp)}{event.count && event.count > 1 ? ` ×${event.count}` : ''}{event.source?.component ? ` · ${event.source.component}` : ''}</small>
                  {event.message ? <span> {event.message}</span> : null}
                </li>
              ))}
            </ul>
            <h3>Tidewater events</h3>
            <ErrorBox error={events.error} />
            {about.length === 0 && events.data ? <p>No Tidewater event names this resource.</p> : null}
            <ul className="events">
              {about.slice(-100).reverse().map((entry) => (
                <li key={entry.streamId}><code>{entry.event.type.replace('dev.tidewater.', '')}</code> <small>{timeAgo(entry.event.time)}</small>
                  {typeof entry.event.data.message === 'string' ? <span> {entry.event.data.message}</span> : null}</li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </aside>
  );
}
