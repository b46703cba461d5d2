import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { api, type Application, type ApplicationList } from '../api/client.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { HealthBadge, shortSha, SyncBadge, timeAgo } from '../components/status.tsx';
import { navigate, setQuery, useLocation } from '../router.ts';

const healthValues = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];
const syncValues = ['Synced', 'OutOfSync', 'Unknown'];
const pageSizes = [50, 100, 500, 1000, 5000];

function listPath(query: URLSearchParams, offset: number, limit: number): string {
  const params = new URLSearchParams();
  for (const key of ['search', 'selector']) if (query.get(key)) params.set(key, query.get(key) as string);
  for (const key of ['project', 'health', 'sync']) for (const value of query.getAll(key)) params.append(key, value);
  params.set('limit', String(limit));
  if (offset > 0) params.set('continue', String(offset));
  return `/api/v1/applications?${params}`;
}

function openApp(name: string) {
  navigate(`/applications/${encodeURIComponent(name)}`);
}

function AppTile({ app }: { app: Application }) {
  return (
    <a href={`/applications/${encodeURIComponent(app.metadata.name)}`} className={`tile health-border-${app.status.health.status.toLowerCase()}`} data-testid="app-tile"
      onClick={(event) => { event.preventDefault(); openApp(app.metadata.name); }}>
      <strong className="tile-name">{app.metadata.name}</strong>
      <span className="tile-meta">project {app.spec.project}</span>
      <span className="tile-status"><HealthBadge status={app.status.health.status} /> <SyncBadge status={app.status.sync.status} /></span>
      <span className="tile-meta">at <code>{shortSha(app.status.sync.revision)}</code> · {timeAgo(app.status.reconciledAt)}</span>
      {app.status.paused ? <span className="tile-meta paused">⏸ auto-sync paused</span> : null}
    </a>
  );
}

/** The list mode: rows are virtualised, so a page of 1,000 apps renders only what is on screen. */
function AppRows({ apps }: { apps: Application[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: apps.length, getScrollElement: () => scroller.current, estimateSize: () => 36, overscan: 12 });
  return (
    <div className="table" role="table" aria-label="applications" aria-rowcount={apps.length + 1}>
      <div className="row head" role="row">
        <span role="columnheader">Name</span><span role="columnheader">Project</span><span role="columnheader">Health</span>
        <span role="columnheader">Sync</span><span role="columnheader">Revision</span><span role="columnheader">Labels</span>
      </div>
      <div ref={scroller} className="rows" style={{ height: Math.min(apps.length * 36, 640) }}>
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((item) => {
            const app = apps[item.index];
            return (
              <div key={app.metadata.name} role="row" aria-rowindex={item.index + 2} className="row" data-testid="app-row"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
                <span role="cell"><a href={`/applications/${encodeURIComponent(app.metadata.name)}`} onClick={(event) => { event.preventDefault(); openApp(app.metadata.name); }}>{app.metadata.name}</a></span>
                <span role="cell">{app.spec.project}</span>
                <span role="cell"><HealthBadge status={app.status.health.status} /></span>
                <span role="cell"><SyncBadge status={app.status.sync.status} /></span>
                <span role="cell"><code>{shortSha(app.status.sync.revision)}</code></span>
                <span role="cell" className="labels">{Object.entries(app.metadata.labels ?? {}).map(([key, value]) => `${key}=${value}`).join(' ')}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function Toggle({ name, values, selected }: { name: string; values: string[]; selected: string[] }) {
  return (
    <fieldset className="chips">
      <legend>{name}</legend>
      {values.map((value) => {
        const on = selected.includes(value);
        return (
          <label key={value} className={`chip${on ? ' on' : ''}`}>
            <input type="checkbox" checked={on} onChange={() => {
              const url = new URL(location.href);
              const next = on ? selected.filter((entry) => entry !== value) : [...selected, value];
              url.searchParams.delete(name);
              for (const entry of next) url.searchParams.append(name, entry);
              url.searchParams.delete('page');
              navigate(url.pathname + url.search, { replace: true });
            }} />{value}
          </label>
        );
      })}
    </fieldset>
  );
}

export function ApplicationsView() {
  const { query } = useLocation();
  const view = query.get('view') === 'list' ? 'list' : 'tiles';
  const limit = Number(query.get('limit')) || 100;
  const page = Math.max(Number(query.get('page')) || 0, 0);
  const [search, setSearch] = useState(query.get('search') ?? '');
  const [selector, setSelector] = useState(query.get('selector') ?? '');
  // Typing filters after a short pause (each change is a server-side query).
  useEffect(() => {
    const timer = setTimeout(() => { if ((query.get('search') ?? '') !== search) setQuery({ search, page: undefined }); }, 250);
    return () => clearTimeout(timer);
  }, [search, query]);
  const path = listPath(query, page * limit, limit);
  const apps = useQuery({ queryKey: ['applications', path], queryFn: ({ signal }) => api<ApplicationList>(path, { signal }), placeholderData: keepPreviousData });
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api<{ items: Array<{ metadata: { name: string } }> }>('/api/v1/projects'), staleTime: 300_000 });
  const total = apps.data ? page * limit + apps.data.items.length + (apps.data.metadata.remainingItemCount ?? 0) : undefined;
  const pages = total === undefined ? 1 : Math.max(Math.ceil(total / limit), 1);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Applications</h1>
        <span className="count" data-testid="app-count">{total === undefined ? '' : `${total} application${total === 1 ? '' : 's'}`}</span>
        <div className="view-switch" role="group" aria-label="view">
          <button type="button" aria-pressed={view === 'tiles'} onClick={() => setQuery({ view: undefined })}>Tiles</button>
          <button type="button" aria-pressed={view === 'list'} onClick={() => setQuery({ view: 'list' })}>List</button>
        </div>
      </div>
      <div className="filters">
        <label>Search<input type="search" value={search} placeholder="name contains…" onChange={(event) => setSearch(event.target.value)} /></label>
        <label>Labels<input value={selector} placeholder="team=web,tier!=db" onChange={(event) => setSelector(event.target.value)}
          onBlur={() => setQuery({ selector, page: undefined })} onKeyDown={(event) => { if (event.key === 'Enter') setQuery({ selector, page: undefined }); }} /></label>
        <label>Project
          <select value={query.get('project') ?? ''} onChange={(event) => setQuery({ project: event.target.value || undefined, page: undefined })}>
            <option value="">all projects</option>
            {projects.data?.items.map((project) => <option key={project.metadata.name}>{project.metadata.name}</option>)}
          </select>
        </label>
        <Toggle name="health" values={healthValues} selected={query.getAll('health')} />
        <Toggle name="sync" values={syncValues} selected={query.getAll('sync')} />
      </div>
      <ErrorBox error={apps.error} />
      {apps.isPending ? <p>Loading applications…</p> : null}
      {apps.data && apps.data.items.length === 0 ? <p className="empty">No application matches these filters.</p> : null}
      {apps.data && view === 'tiles' ? <div className="tiles">{apps.data.items.map((app) => <AppTile key={app.metadata.name} app={app} />)}</div> : null}
      {apps.data && view === 'list' && apps.data.items.length > 0 ? <AppRows apps={apps.data.items} /> : null}
      <nav className="pager" aria-label="pages">
        <button type="button" disabled={page === 0} onClick={() => setQuery({ page: page > 1 ? String(page - 1) : undefined })}>‹ Previous</button>
        <span>page {page + 1} of {pages}</span>
        <button type="button" disabled={!apps.data?.metadata.continue} onClick={() => setQuery({ page: String(page + 1) })}>Next ›</button>
        <label>per page
          <select value={limit} onChange={(event) => setQuery({ limit: event.target.value, page: undefined })}>
            {pageSizes.map((size) => <option key={size}>{size}</option>)}
          </select>
        </label>
      </nav>
    </div>
  );
}
