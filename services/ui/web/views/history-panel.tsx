import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, segment, type Application } from '../api/client.ts';
import type { paths } from '../api/openapi.ts';
import { ActionButton } from '../components/action-button.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { shortSha, timeAgo } from '../components/status.tsx';

type History = paths['/api/v1/applications/{name}/history']['get']['responses']['200']['content']['application/json'];
type RevisionMetadata = paths['/api/v1/applications/{name}/revisions/{revision}/metadata']['get']['responses']['200']['content']['application/json'];
type Manifests = paths['/api/v1/applications/{name}/manifests']['get']['responses']['200']['content']['application/json'];

/** The container images of rendered manifests (pod templates, pods, cron jobs). */
export function imagesOf(manifests: string[]): string[] {
  const images = new Set<string>();
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) { for (const item of value) visit(item, key); return; }
    if (!value || typeof value !== 'object') return;
    for (const [name, child] of Object.entries(value)) {
      if ((key === 'containers' || key === 'initContainers') && name === 'image' && typeof child === 'string') images.add(child);
      else visit(child, name);
    }
  };
  for (const manifest of manifests) {
    try { visit(JSON.parse(manifest)); } catch { /* a manifest that is not JSON has no images to show */ }
  }
  return [...images].sort();
}

function Details({ app, revision }: { app: string; revision: string }) {
  const metadata = useQuery({ queryKey: ['application', app, 'revision', revision], queryFn: () => api<RevisionMetadata>(`/api/v1/applications/${segment(app)}/revisions/${segment(revision)}/metadata`), staleTime: Infinity, retry: false });
  const manifests = useQuery({ queryKey: ['application', app, 'manifests', revision], queryFn: () => api<Manifests>(`/api/v1/applications/${segment(app)}/manifests?revision=${segment(revision)}`), staleTime: Infinity, retry: false });
  const images = manifests.data ? imagesOf(manifests.data.manifests) : [];
  return (
    <>
      <span role="cell" className="commit-message" data-testid="commit-message">{metadata.data?.message?.split('\n')[0] ?? (metadata.isPending ? '…' : 'commit message not known (no push webhook recorded)')}</span>
      <span role="cell">{metadata.data?.author ?? ''}</span>
      <span role="cell" className="images">{manifests.isPending ? '…' : images.length ? images.join(', ') : manifests.error ? 'bundle expired' : 'no images'}</span>
    </>
  );
}

/** Kept syncs, newest first, each with its commit (message, author), images and trigger; rollback to any of them. */
export function HistoryPanel({ application }: { application: Application }) {
  const name = application.metadata.name;
  const queryClient = useQueryClient();
  const history = useQuery({ queryKey: ['application', name, 'history'], queryFn: ({ signal }) => api<History>(`/api/v1/applications/${segment(name)}/history`, { signal }) });
  const [result, setResult] = useState<string>();
  const rollback = useMutation({
    mutationFn: (id: number) => api<Application>(`/api/v1/applications/${segment(name)}/rollback`, { method: 'POST', body: { id } }),
    onSuccess: (_, id) => { setResult(`Rollback to history ${id} queued; automated sync is paused until resumed or a new commit arrives.`); void queryClient.invalidateQueries({ queryKey: ['application', name] }); },
  });
  const permission = { resource: 'applications', action: 'rollback', object: `${application.spec.project}/${name}` };
  const current = application.status.sync.revision;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <ErrorBox error={history.error ?? rollback.error} />
      {result ? <p role="status" className="notice">{result}</p> : null}
      <div className="table history" role="table" aria-label="sync history">
        <div className="row head" role="row">
          <span role="columnheader">#</span><span role="columnheader">Revision</span><span role="columnheader">Commit</span><span role="columnheader">Author</span>
          <span role="columnheader">Images</span><span role="columnheader">Trigger</span><span role="columnheader">Result</span><span role="columnheader">Action</span>
        </div>
        {history.data?.history.map((entry) => (
          <div className="row" role="row" key={entry.id} data-testid="history-row">
            <span role="cell">{entry.id}</span>
            <span role="cell"><code title={entry.revision}>{shortSha(entry.revision)}</code>{entry.revision === current ? <small> current</small> : null}</span>
            <Details app={name} revision={entry.revision} />
            <span role="cell">{entry.trigger}{entry.initiatedBy.username ? ` by ${entry.initiatedBy.username}` : entry.initiatedBy.automated ? ' (automated)' : ''}</span>
            <span role="cell">{entry.phase} · {timeAgo(entry.deployedAt)}</span>
            <span role="cell">
              {entry.revision !== current ? (
                <ActionButton permission={permission} confirm={`Roll ${name} back to ${shortSha(entry.revision)}? Automated sync pauses.`}
                  busy={rollback.isPending} onClick={() => rollback.mutate(entry.id)}>Roll back</ActionButton>
              ) : null}
            </span>
          </div>
        ))}
      </div>
      {history.data?.history.length === 0 ? <p>No sync recorded yet.</p> : null}
    </section>
  );
}
