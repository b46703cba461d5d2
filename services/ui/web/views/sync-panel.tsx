import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, segment, type Application } from '../api/client.ts';
import { ActionButton } from '../components/action-button.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { resourceId } from './resource-tree.tsx';

const knownOptions = ['ServerSideApply=true', 'Replace=true', 'CreateNamespace=true', 'PruneLast=true', 'ApplyOutOfSyncOnly=true', 'Validate=false'];

/** Argo CD's sync panel: revision, prune, dry run, force, sync options and a choice of resources. */
export function SyncPanel({ application, onClose }: { application: Application; onClose: () => void }) {
  const name = application.metadata.name;
  const queryClient = useQueryClient();
  const [revision, setRevision] = useState('');
  const [prune, setPrune] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const [force, setForce] = useState(false);
  const [options, setOptions] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string> | undefined>();
  const resources = application.status.resources;
  const sync = useMutation({
    mutationFn: () => api<Application>(`/api/v1/applications/${segment(name)}/sync`, {
      method: 'POST',
      body: {
        prune, dryRun, syncOptions: options,
        ...(revision.trim() ? { revision: revision.trim() } : {}),
        ...(force ? { strategy: { apply: { force: true } } } : {}),
        ...(selected ? { resources: resources.filter((resource) => selected.has(resourceId(resource))).map((resource) => ({ group: resource.group, kind: resource.kind, name: resource.name, ...(resource.namespace ? { namespace: resource.namespace } : {}) })) } : {}),
      },
    }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['application', name] }),
  });
  const toggleResource = (id: string) => setSelected((current) => {
    const next = new Set(current ?? resources.map(resourceId));
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next.size === resources.length ? undefined : next;
  });
  return (
    <section className="panel" aria-labelledby="sync-title">
      <header><h2 id="sync-title">Sync {name}</h2><button type="button" onClick={onClose} aria-label="close the sync panel">✕</button></header>
      <label>Revision<input value={revision} placeholder={`default: ${String((application.spec.source as { targetRevision?: string }).targetRevision ?? 'HEAD')}`} onChange={(event) => setRevision(event.target.value)} /></label>
      <fieldset>
        <legend>Options</legend>
        <label><input type="checkbox" checked={prune} onChange={() => setPrune(!prune)} /> Prune (delete objects no longer in Git)</label>
        <label><input type="checkbox" checked={dryRun} onChange={() => setDryRun(!dryRun)} /> Dry run (server-side, nothing changes)</label>
        <label><input type="checkbox" checked={force} onChange={() => setForce(!force)} /> Force (replace objects that cannot be patched)</label>
        {knownOptions.map((option) => (
          <label key={option}><input type="checkbox" checked={options.includes(option)} onChange={() => setOptions(options.includes(option) ? options.filter((entry) => entry !== option) : [...options, option])} /> {option}</label>
        ))}
      </fieldset>
      <fieldset className="resource-choice">
        <legend>Resources ({selected ? `${selected.size} of ${resources.length}` : `all ${resources.length}`})</legend>
        <div className="choice-list">
          {resources.slice(0, 500).map((resource) => {
            const id = resourceId(resource);
            return <label key={id}><input type="checkbox" checked={!selected || selected.has(id)} onChange={() => toggleResource(id)} /> {resource.kind} {resource.namespace ? `${resource.namespace}/` : ''}{resource.name}</label>;
          })}
          {resources.length > 500 ? <small>first 500 of {resources.length} shown; sync all to include the rest</small> : null}
        </div>
      </fieldset>
      <ErrorBox error={sync.error} title="Sync was not started" />
      {sync.isSuccess ? <p role="status" className="notice">{dryRun ? 'Dry run' : 'Sync'} queued; the status updates live.</p> : null}
      <ActionButton className="primary" permission={{ resource: 'applications', action: 'sync', object: `${application.spec.project}/${name}` }}
        busy={sync.isPending} disabledReason={selected?.size === 0 ? 'choose at least one resource' : undefined} onClick={() => sync.mutate()}>
        {dryRun ? 'Dry run' : 'Synchronize'}
      </ActionButton>
    </section>
  );
}
