import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { lazy, Suspense, useRef, useState } from 'react';
import { api, ApiRequestError, segment } from '../api/client.ts';
import { freightText, type Freight, type PipelineStatus, type PipelineSummary, type StageStatus } from '../api/pipelines.ts';
import { ActionButton } from '../components/action-button.tsx';
import { ErrorBox } from '../components/error-box.tsx';
import { LazyDiff } from '../components/lazy-diff.tsx';
import { timeAgo } from '../components/status.tsx';
import { navigate } from '../router.ts';

const StageGraph = lazy(() => import('./stage-graph.tsx'));

function PipelineList() {
  const list = useQuery({ queryKey: ['pipelines'], queryFn: () => api<{ items: PipelineSummary[] }>('/api/v1/pipelines') });
  if (list.error instanceof ApiRequestError && list.error.status === 404) {
    return <p className="empty">This API serves no pipelines yet (the promoter's pipeline routes are not installed).</p>;
  }
  return (
    <>
      <ErrorBox error={list.error} />
      {list.data?.items.length === 0 ? <p className="empty">No pipeline is configured (kind Pipeline, Kargo Stage or GitOps Promoter PromotionStrategy documents).</p> : null}
      <ul className="pipeline-list">
        {list.data?.items.map((pipeline) => (
          <li key={pipeline.name}>
            <a href={`/pipelines/${encodeURIComponent(pipeline.name)}`} onClick={(event) => { event.preventDefault(); navigate(`/pipelines/${encodeURIComponent(pipeline.name)}`); }}>{pipeline.name}</a>
            <span className="muted"> {pipeline.origin} · {pipeline.stages.map((stage) => `${stage.name}${stage.currentFreight ? ` (${stage.currentFreight})` : ''}${stage.hold ? ' ⏸' : ''}`).join(' → ')}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

function StagePanel({ pipeline, stage, freight }: { pipeline: string; stage: StageStatus; freight: Freight[] }) {
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState('');
  const [comment, setComment] = useState('');
  const [done, setDone] = useState<string>();
  const act = useMutation({
    mutationFn: ({ action, body }: { action: string; body: Record<string, unknown> }) =>
      api(`/api/v1/pipelines/${segment(pipeline)}/stages/${segment(stage.name)}/${action}`, { method: 'POST', body }),
    onSuccess: (_, { action }) => { setDone(`${action} accepted`); void queryClient.invalidateQueries({ queryKey: ['pipelines'] }); },
  });
  const object = `${pipeline}/${stage.name}`;
  const promote = { resource: 'pipelines', action: 'promote', object };
  const approve = { resource: 'approvals', action: 'approve', object };
  const alias = (id: string) => freight.find((entry) => entry.id === id)?.alias ?? id.slice(0, 12);
  const candidates = freight.filter((entry) => stage.upstream.length === 0 || stage.upstream.some((upstream) => entry.verifiedIn.includes(upstream)));
  return (
    <section className="panel stage-panel" aria-labelledby={`stage-${stage.name}`} data-testid="stage-panel">
      <h2 id={`stage-${stage.name}`}>Stage {stage.name}</h2>
      <p>Current freight: <strong>{stage.currentFreight?.alias ?? 'none'}</strong> · applications: {stage.applications.join(', ') || 'none'} · {stage.autoPromote ? 'promotes automatically' : 'promotes on request'}</p>
      {stage.hold ? <p className="banner">⏸ Held by {stage.hold.by} {timeAgo(stage.hold.at)}: {stage.hold.reason}
        <ActionButton permission={promote} onClick={() => act.mutate({ action: 'release', body: {} })}>Release</ActionButton></p> : null}
      {stage.promotion ? (
        <div className={`promotion state-${stage.promotion.state}`}>
          Promotion of {alias(stage.promotion.freight)}: <strong>{stage.promotion.state}</strong> {timeAgo(stage.promotion.finishedAt ?? stage.promotion.startedAt)}
          <ol className="steps">{stage.promotion.steps.map((step, index) => <li key={index}>{step.uses}: {step.state}{step.error ? ` — ${step.error}` : ''}</li>)}</ol>
        </div>
      ) : null}
      {stage.waiting.length ? (
        <div>
          <h3>Waiting at gates</h3>
          <ul className="gates">
            {stage.waiting.map((entry) => (
              <li key={entry.freight + entry.gate} className={entry.passed ? 'passed' : 'blocked'}>
                {entry.passed ? "✓" : "⧖"} <strong>{entry.alias ?? alias(entry.freight)}</strong> at gate <code>{entry.gate}</code>: {entry.reason} <small>since {timeAgo(entry.since)}</small>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {stage.approvals?.pending.length ? (
        <div>
          <h3>Approvals ({stage.approvals.required} required)</h3>
          {stage.approvals.pending.map((pending) => (
            <div key={pending.freight} className="approval" data-testid="approval">
              <p><strong>{pending.alias ?? alias(pending.freight)}</strong> requested by {pending.requestedBy} {timeAgo(pending.requestedAt)}, expires {timeAgo(pending.expiresAt)};
                approved by {pending.approvals.map((entry) => entry.user).join(', ') || 'nobody yet'}</p>
              <ActionButton permission={approve} confirm={`Approve ${alias(pending.freight)} into ${stage.name}?`} onClick={() => act.mutate({ action: 'approve', body: { freight: pending.freight, ...(comment ? { comment } : {}) } })}>Approve</ActionButton>
              <ActionButton permission={approve} confirm={`Reject ${alias(pending.freight)} for ${stage.name}?`} className="danger" onClick={() => act.mutate({ action: 'reject', body: { freight: pending.freight, ...(comment ? { comment } : {}) } })}>Reject</ActionButton>
            </div>
          ))}
        </div>
      ) : null}
      <div className="promote">
        <label>Freight
          <select value={choice} onChange={(event) => setChoice(event.target.value)}>
            <option value="">choose freight…</option>
            {candidates.map((entry) => <option key={entry.id} value={entry.id}>{entry.alias} ({timeAgo(entry.createdAt)})</option>)}
          </select>
        </label>
        <label>Comment<input value={comment} onChange={(event) => setComment(event.target.value)} /></label>
        <ActionButton permission={promote} disabledReason={choice ? undefined : 'choose a freight first'} confirm={`Promote ${alias(choice)} into ${stage.name}?`}
          onClick={() => act.mutate({ action: 'promote', body: { freight: choice, ...(comment ? { comment } : {}) } })}>Promote</ActionButton>
        <ActionButton permission={promote} confirm={`Roll ${stage.name} back to the freight before ${stage.currentFreight?.alias ?? 'the current one'}? The stage is held.`}
          disabledReason={stage.currentFreight ? undefined : 'nothing to roll back'} onClick={() => act.mutate({ action: 'rollback', body: {} })}>Roll back</ActionButton>
      </div>
      <ErrorBox error={act.error} title="The request was refused" />
      {done ? <p role="status" className="notice">{done}</p> : null}
    </section>
  );
}

/** Freight newest first, paged by the API's cursor and virtualised: hundreds of freight scroll without lag. */
function FreightTimeline({ freight, stages, compare, onCompare, hasMore, loadMore }: {
  freight: Freight[]; stages: StageStatus[]; compare: string[]; onCompare: (id: string) => void; hasMore: boolean; loadMore: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: freight.length, getScrollElement: () => scroller.current, estimateSize: () => 58, overscan: 8 });
  const last = rows.getVirtualItems().at(-1);
  if (last && last.index >= freight.length - 5 && hasMore) queueMicrotask(loadMore);
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Freight timeline <small className="muted">(tick two to compare)</small></h2>
      <div ref={scroller} className="timeline" role="list">
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((item) => {
            const entry = freight[item.index];
            const inStages = stages.filter((stage) => stage.currentFreight?.id === entry.id).map((stage) => stage.name);
            return (
              <div key={entry.id} role="listitem" className="freight" data-testid="freight"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
                <label className="freight-pick"><input type="checkbox" checked={compare.includes(entry.id)} onChange={() => onCompare(entry.id)} aria-label={`compare ${entry.alias}`} /></label>
                <strong>{entry.alias}</strong> <small className="muted">{timeAgo(entry.createdAt)}</small>
                {inStages.map((stage) => <span key={stage} className="badge stage-badge">{stage}</span>)}
                <div className="freight-artifacts">
                  {entry.images.map((image) => <span key={image.repoURL}>image {image.repoURL.split('/').at(-1)}:{image.tag}</span>)}
                  {entry.commits.map((commit) => <span key={commit.repoURL + commit.id}>commit {commit.id.slice(0, 7)} {commit.message?.split('\n')[0] ?? ''}</span>)}
                  {entry.charts.map((chart) => <span key={chart.repoURL + chart.name}>chart {chart.name} {chart.version}</span>)}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function PipelineDetail({ name }: { name: string }) {
  const status = useQuery({ queryKey: ['pipelines', name], queryFn: ({ signal }) => api<PipelineStatus>(`/api/v1/pipelines/${segment(name)}`, { signal }) });
  const freight = useInfiniteQuery({
    queryKey: ['pipelines', name, 'freight'],
    queryFn: ({ pageParam, signal }) => api<{ items: Freight[]; nextCursor?: string }>(`/api/v1/pipelines/${segment(name)}/freight?limit=100${pageParam ? `&cursor=${segment(pageParam)}` : ''}`, { signal }),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor,
  });
  const [stage, setStage] = useState<string>();
  const [compare, setCompare] = useState<string[]>([]);
  const all = freight.data?.pages.flatMap((page) => page.items) ?? [];
  const selectedStage = status.data?.stages.find((candidate) => candidate.name === (stage ?? status.data?.stages[0]?.name));
  const pair = compare.map((id) => all.find((entry) => entry.id === id)).filter((entry): entry is Freight => entry !== undefined);
  const [older, newer] = [...pair].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <>
      <p className="crumbs"><a href="/pipelines" onClick={(event) => { event.preventDefault(); navigate('/pipelines'); }}>Pipelines</a> › {name}</p>
      <h1>{name}</h1>
      <ErrorBox error={status.error ?? freight.error} />
      {status.data ? <Suspense fallback={<p>Laying out the stages…</p>}><StageGraph stages={status.data.stages} selected={selectedStage?.name} onSelect={setStage} /></Suspense> : null}
      <div className="pipeline-body">
        {selectedStage ? <StagePanel pipeline={name} stage={selectedStage} freight={all} /> : null}
        <FreightTimeline freight={all} stages={status.data?.stages ?? []} compare={compare} hasMore={Boolean(freight.hasNextPage) && !freight.isFetchingNextPage}
          loadMore={() => void freight.fetchNextPage()} onCompare={(id) => setCompare((current) => (current.includes(id) ? current.filter((entry) => entry !== id) : [...current.slice(-1), id]))} />
      </div>
      {older && newer ? (
        <section aria-labelledby="compare-title">
          <h2 id="compare-title">What changes from {older.alias} to {newer.alias}</h2>
          <LazyDiff before={freightText(older)} after={freightText(newer)} beforeLabel={older.alias} afterLabel={newer.alias} />
        </section>
      ) : null}
    </>
  );
}

/** Promotion pipelines: stages as a graph, the freight timeline, gates and approvals, promote/approve/reject, compare. */
export function PipelinesView({ name }: { name?: string }) {
  return (
    <div className="page">
      {name ? <PipelineDetail name={name} /> : <><div className="page-head"><h1>Pipelines</h1></div><PipelineList /></>}
    </div>
  );
}
