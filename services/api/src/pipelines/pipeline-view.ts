import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Pipeline } from '@tidewater/config';
import { readFreight, readStageRecords, type StoredFreight } from '@tidewater/queues';

// The views of the pipeline API contract (docs/api.md "Promotion pipelines"): what the UI and `tide pipeline` read.

export const FreightView = z.object({
  id: z.string().describe('sha256 of the freight\'s canonical artifacts'),
  alias: z.string(),
  createdAt: z.string(),
  source: z.string(),
  images: z.array(z.object({ repoURL: z.string(), tag: z.string(), digest: z.string().optional() })),
  commits: z.array(z.object({ repoURL: z.string(), id: z.string(), branch: z.string().optional(), message: z.string().optional(), author: z.string().optional() })),
  charts: z.array(z.object({ repoURL: z.string(), name: z.string(), version: z.string() })),
  verifiedIn: z.array(z.string()),
}).meta({ id: 'Freight' });
export type FreightView = z.infer<typeof FreightView>;

export const PromotionView = z.object({
  id: z.string(),
  freight: z.string(),
  alias: z.string().optional(),
  kind: z.enum(['auto', 'manual', 'rollback']).optional(),
  actor: z.string().optional(),
  state: z.enum(['waiting', 'running', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  reason: z.string().optional(),
  revision: z.string().optional(),
  approvals: z.array(z.object({ user: z.string(), at: z.string(), comment: z.string().optional() })).optional(),
  steps: z.array(z.object({ uses: z.string(), state: z.string(), output: z.record(z.string(), z.unknown()).optional(), error: z.string().optional() })),
}).meta({ id: 'Promotion' });
export type PromotionView = z.infer<typeof PromotionView>;

export const StageStatus = z.object({
  name: z.string(),
  applications: z.array(z.string()),
  autoPromote: z.boolean(),
  upstream: z.array(z.string()),
  currentFreight: FreightView.nullable(),
  promotion: PromotionView.nullable(),
  hold: z.object({ by: z.string(), at: z.string(), reason: z.string() }).nullable(),
  waiting: z.array(z.object({ freight: z.string(), alias: z.string().optional(), gate: z.string(), passed: z.boolean(), reason: z.string(), since: z.string() })),
  approvals: z.object({
    required: z.number().int(),
    pending: z.array(z.object({
      freight: z.string(), alias: z.string().optional(), requestedBy: z.string(), requestedAt: z.string(), expiresAt: z.string(),
      approvals: z.array(z.object({ user: z.string(), at: z.string(), comment: z.string().optional() })),
    })),
  }).nullable(),
  /** When the current freight was first healthy after its promotion's sync, and when it was verified here. */
  healthySince: z.string().optional(),
  verifiedAt: z.string().optional(),
}).meta({ id: 'StageStatus' });
export type StageStatus = z.infer<typeof StageStatus>;

export const PipelineStatus = z.object({
  name: z.string(),
  origin: z.enum(['tidewater', 'kargo', 'gitops-promoter']),
  sources: z.array(z.object({ name: z.string(), kind: z.string(), ref: z.string() })),
  stages: z.array(StageStatus),
}).meta({ id: 'PipelineStatus' });
export type PipelineStatus = z.infer<typeof PipelineStatus>;

export const PipelineSummary = z.object({
  name: z.string(),
  origin: z.enum(['tidewater', 'kargo', 'gitops-promoter']),
  stages: z.array(z.object({ name: z.string(), currentFreight: z.string().nullable(), hold: z.boolean() })),
}).meta({ id: 'PipelineSummary' });
export type PipelineSummary = z.infer<typeof PipelineSummary>;

export function freightView(freight: StoredFreight & { verifiedIn: string[] }): FreightView {
  return {
    id: freight.id, alias: freight.alias, createdAt: freight.createdAt, source: freight.source,
    images: freight.images.map(({ repoURL, tag, digest }) => ({ repoURL, tag, ...(digest ? { digest } : {}) })),
    commits: freight.commits.map(({ source: _source, ...commit }) => commit),
    charts: freight.charts.map(({ repoURL, name, version }) => ({ repoURL, name, version })),
    verifiedIn: freight.verifiedIn,
  };
}

function sourceRef(source: Pipeline['spec']['sources'][number]): { kind: string; ref: string } {
  if (source.imagePolicy) return { kind: 'imagePolicy', ref: source.imagePolicy };
  if (source.image) return { kind: 'image', ref: source.image.repoURL };
  if (source.git) return { kind: 'git', ref: `${source.git.repoURL}${source.git.branch ? `@${source.git.branch}` : ''}` };
  if (source.chart) return { kind: 'chart', ref: `${source.chart.repoURL}${source.chart.name ? ` ${source.chart.name}` : ''}` };
  return { kind: 'unknown', ref: '' };
}

/** The status of one pipeline from what the promoter and the api stored (each record parsed with its schema). */
export async function pipelineStatus(redis: Redis, pipeline: Pipeline): Promise<PipelineStatus> {
  const aliases = new Map<string, string>();
  const freightOf = async (id: string) => {
    const freight = await readFreight(redis, pipeline.name, id);
    if (freight) aliases.set(id, freight.alias);
    return freight;
  };
  const aliasOf = async (id: string) => aliases.get(id) ?? (await freightOf(id))?.alias;
  const stages = await Promise.all(pipeline.spec.stages.map(async (stage): Promise<StageStatus> => {
    const records = await readStageRecords(redis, pipeline.name, stage.name);
    const current = records.state.currentFreight ? await freightOf(records.state.currentFreight) : undefined;
    const stored = records.state.promotion;
    let promotion: PromotionView | null = stored ? {
      id: stored.id, freight: stored.freight, ...(await aliasOf(stored.freight) ? { alias: await aliasOf(stored.freight) } : {}), kind: stored.kind,
      ...(stored.actor ? { actor: stored.actor } : {}), state: stored.state, startedAt: stored.startedAt,
      ...(stored.finishedAt ? { finishedAt: stored.finishedAt } : {}), ...(stored.reason ? { reason: stored.reason } : {}),
      ...(stored.revision ? { revision: stored.revision } : {}), approvals: stored.approvals,
      steps: stored.steps.map(({ uses, state, output, error }) => ({ uses, state, ...(output ? { output } : {}), ...(error ? { error } : {}) })),
    } : null;
    if (records.request && (!stored || stored.id !== records.request.id)) {
      // Asked for, not started yet (waiting for the promoter or for approvals).
      const alias = await aliasOf(records.request.freight);
      promotion = { id: records.request.id, freight: records.request.freight, ...(alias ? { alias } : {}), kind: records.request.kind, actor: records.request.actor, state: 'waiting', startedAt: records.request.at, steps: [] };
    }
    const now = Date.now();
    const pending = records.approvalRequests.filter((request) => request.state === 'pending' && Date.parse(request.expiresAt) > now);
    return {
      name: stage.name, applications: stage.applications, autoPromote: stage.autoPromote ?? false, upstream: stage.freightFrom.stages ?? [],
      currentFreight: current ? freightView(current) : null,
      promotion,
      hold: records.hold ?? null,
      waiting: await Promise.all(records.state.waiting.map(async (entry) => {
        const alias = await aliasOf(entry.freight);
        return { ...entry, ...(alias ? { alias } : {}) };
      })),
      approvals: stage.approval ? {
        required: stage.approval.required ?? 1,
        pending: await Promise.all(pending.map(async (request) => {
          const alias = await aliasOf(request.freight);
          return {
            freight: request.freight, ...(alias ? { alias } : {}), requestedBy: request.requestedBy, requestedAt: request.requestedAt, expiresAt: request.expiresAt,
            approvals: records.decisions.filter((decision) => decision.freight === request.freight && decision.decision === 'approve' && decision.at >= request.requestedAt)
              .map(({ user, at, comment }) => ({ user, at, ...(comment ? { comment } : {}) })),
          };
        })),
      } : null,
      ...(records.state.healthySince ? { healthySince: records.state.healthySince } : {}),
      ...(records.state.verifiedAt ? { verifiedAt: records.state.verifiedAt } : {}),
    };
  }));
  return {
    name: pipeline.name, origin: pipeline.origin,
    sources: pipeline.spec.sources.map((source) => ({ name: source.name, ...sourceRef(source) })),
    stages,
  };
}
