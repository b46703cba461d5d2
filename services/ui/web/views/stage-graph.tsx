import dagre from '@dagrejs/dagre';
import { useMemo } from 'react';
import type { StageStatus } from '../api/pipelines.ts';

const width = 190;
const height = 64;

/** The pipeline's stages laid out left to right by dagre, edges from each upstream stage. Loaded on demand. */
export function StageGraph({ stages, selected, onSelect }: { stages: StageStatus[]; selected?: string; onSelect: (stage: string) => void }) {
  const layout = useMemo(() => {
    const graph = new dagre.graphlib.Graph();
    graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 60, marginx: 8, marginy: 8 });
    graph.setDefaultEdgeLabel(() => ({}));
    for (const stage of stages) graph.setNode(stage.name, { width, height });
    for (const stage of stages) for (const upstream of stage.upstream) if (graph.hasNode(upstream)) graph.setEdge(upstream, stage.name);
    dagre.layout(graph);
    const size = graph.graph();
    return {
      width: size.width ?? 0, height: size.height ?? 0,
      nodes: stages.map((stage) => ({ stage, ...(graph.node(stage.name) as { x: number; y: number }) })),
      edges: graph.edges().map((edge) => (graph.edge(edge) as { points: Array<{ x: number; y: number }> }).points),
    };
  }, [stages]);
  return (
    <svg className="stage-graph" width={layout.width} height={layout.height} role="group" aria-label={`pipeline stages: ${stages.map((stage) => stage.name).join(', ')}`}>
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280" /></marker></defs>
      {layout.edges.map((points, index) => (
        <polyline key={index} fill="none" stroke="#6b7280" strokeWidth="1.5" markerEnd="url(#arrow)" points={points.map((point) => `${point.x},${point.y}`).join(' ')} />
      ))}
      {layout.nodes.map(({ stage, x, y }) => {
        const state = stage.hold ? 'held'
          : stage.promotion && stage.promotion.state !== 'succeeded' ? stage.promotion.state
            : stage.approvals?.pending.length ? 'awaiting approval'
              : stage.waiting.some((entry) => !entry.passed) ? 'waiting at a gate'
                : stage.promotion?.state ?? 'idle';
        return (
          <g key={stage.name} transform={`translate(${x - width / 2},${y - height / 2})`} className={`stage-node state-${state.split(' ')[0]}${selected === stage.name ? ' selected' : ''}`}
            onClick={() => onSelect(stage.name)} role="button" tabIndex={0} aria-pressed={selected === stage.name}
            onKeyDown={(event) => { if (event.key === 'Enter' || event.key === ' ') onSelect(stage.name); }}>
            <rect width={width} height={height} rx="8" />
            <text x="10" y="22" className="stage-name">{stage.name}{stage.autoPromote ? ' ⚡' : ''}{stage.hold ? ' ⏸' : ''}</text>
            <text x="10" y="42" className="stage-freight">{stage.currentFreight ? stage.currentFreight.alias : 'no freight yet'}</text>
            <text x="10" y="57" className="stage-state">{state}</text>
          </g>
        );
      })}
    </svg>
  );
}

export default StageGraph;
