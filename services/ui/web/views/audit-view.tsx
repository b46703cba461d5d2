import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { setQuery, useLocation } from '../router.ts';

interface AuditRecord {
  seq: number;
  streamId: string;
  event: { id: string; type: string; time: string; subject?: string; data: Record<string, unknown> };
  hash: string;
}
interface AuditPage { records: AuditRecord[]; nextCursor?: number | null }

const filterNames = ['app', 'actor', 'type', 'from', 'to'] as const;

/** datetime-local value → ISO time (the auditor's `from`/`to`). */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : '');

function auditPath(query: URLSearchParams, after = 0, limit = 100): string {
  const params = new URLSearchParams();
  for (const name of filterNames) if (query.get(name)) params.set(name, query.get(name) as string);
  params.set('limit', String(limit));
  if (after) params.set('after', String(after));
  return `/api/v1/audit/events?${params}`;
}

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

const csvCell = (value: unknown) => `"${String(value ?? '').replaceAll('"', '""')}"`;

/** The tamper-evident audit log: search by application, actor, type and time; export as JSON Lines or CSV. */
export function AuditView() {
  const { query } = useLocation();
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(filterNames.map((name) => [name, query.get(name) ?? ''])));
  const [cursor, setCursor] = useState(0);
  const path = auditPath(query, cursor);
  const page = useQuery({ queryKey: ['events', 'audit', path], queryFn: ({ signal }) => api<AuditPage>(path, { signal }), placeholderData: keepPreviousData });
  const [exporting, setExporting] = useState<unknown>();
  const search = (event: FormEvent) => {
    event.preventDefault();
    setCursor(0);
    setQuery({ app: draft.app || undefined, actor: draft.actor || undefined, type: draft.type || undefined, from: draft.from ? isoOf(draft.from) : undefined, to: draft.to ? isoOf(draft.to) : undefined });
  };
  const exportAll = async (format: 'jsonl' | 'csv') => {
    setExporting(undefined);
    try {
      const records: AuditRecord[] = [];
      for (let after = 0, pages = 0; pages < 100; pages++) {
        const next = await api<AuditPage>(auditPath(query, after, 1_000));
        records.push(...next.records);
        if (!next.nextCursor) break;
        after = next.nextCursor;
      }
      if (format === 'jsonl') download('tidewater-audit.jsonl', records.map((record) => JSON.stringify(record)).join('\n') + '\n', 'application/x-ndjson');
      else {
        const rows = records.map((record) => [record.seq, record.event.time, record.event.type, record.event.data.app ?? record.event.data.apps, record.event.data.actor, record.event.subject, record.hash].map(csvCell).join(','));
        download('tidewater-audit.csv', ['seq,time,type,app,actor,subject,hash', ...rows].join('\n') + '\n', 'text/csv');
      }
    } catch (error) {
      setExporting(error);
    }
  };
  return (
    <div className="page">
      <div className="page-head"><h1>Audit</h1></div>
      <form className="filters" onSubmit={search} aria-label="audit search">
        {(['app', 'actor', 'type'] as const).map((name) => (
          <label key={name}>{{ app: 'Application', actor: 'Actor', type: 'Event type' }[name]}
            <input value={draft[name]} placeholder={name === 'type' ? 'dev.tidewater.sync.*' : ''} onChange={(event) => setDraft({ ...draft, [name]: event.target.value })} /></label>
        ))}
        <label>From<input type="datetime-local" value={draft.from?.slice(0, 16)} onChange={(event) => setDraft({ ...draft, from: event.target.value })} /></label>
        <label>To<input type="datetime-local" value={draft.to?.slice(0, 16)} onChange={(event) => setDraft({ ...draft, to: event.target.value })} /></label>
        <button type="submit" className="primary">Search</button>
        <button type="button" onClick={() => void exportAll('jsonl')}>Export JSON Lines</button>
        <button type="button" onClick={() => void exportAll('csv')}>Export CSV</button>
      </form>
      <ErrorBox error={page.error ?? exporting} />
      <div className="table audit" role="table" aria-label="audit records">
        <div className="row head" role="row">
          <span role="columnheader">#</span><span role="columnheader">Time</span><span role="columnheader">Type</span>
          <span role="columnheader">Application</span><span role="columnheader">Actor</span><span role="columnheader">Details</span>
        </div>
        {page.data?.records.map((record) => (
          <div className="row" role="row" key={record.seq} data-testid="audit-row">
            <span role="cell">{record.seq}</span>
            <span role="cell">{new Date(record.event.time).toLocaleString()}</span>
            <span role="cell"><code>{record.event.type.replace('dev.tidewater.', '')}</code></span>
            <span role="cell">{String(record.event.data.app ?? (Array.isArray(record.event.data.apps) ? record.event.data.apps.join(', ') : ''))}</span>
            <span role="cell">{String(record.event.data.actor ?? '')}</span>
            <span role="cell" className="details">{['revision', 'phase', 'operation', 'message', 'reason'].filter((key) => record.event.data[key] !== undefined).map((key) => `${key}: ${String(record.event.data[key])}`).join(' · ')}</span>
          </div>
        ))}
      </div>
      {page.data?.records.length === 0 ? <p className="empty">No audit record matches.</p> : null}
      <nav className="pager" aria-label="audit pages">
        <button type="button" disabled={cursor === 0} onClick={() => setCursor(0)}>« First</button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => setCursor(page.data?.nextCursor ?? 0)}>More ›</button>
      </nav>
    </div>
  );
}
