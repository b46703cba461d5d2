import { Command, Option } from 'commander';
import type { FreightView, PipelineStatus, PipelineSummary, StageStatus } from '@tidewater/api';
import type { CommandIo } from './app-commands.ts';
import { outputFormat, structured, table } from './output.ts';

const path = (pipeline: string, rest = '') => `/api/v1/pipelines/${encodeURIComponent(pipeline)}${rest}`;
const stagePath = (pipeline: string, stage: string, action: string) => path(pipeline, `/stages/${encodeURIComponent(stage)}/${action}`);

/** `3m20s` since an ISO time (how long a gate has waited). */
export function sinceText(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  return `${Math.floor(seconds / 3_600)}h${Math.floor((seconds % 3_600) / 60)}m`;
}

const images = (freight: FreightView | null) => (freight ? freight.images.map((image) => `${image.repoURL}:${image.tag}`).join(',') : '');
/** The commit message the stage's promotion wrote (first line), else the freight's commit's. */
function message(stage: StageStatus): string {
  const commit = stage.promotion?.steps.find((step) => step.uses === 'git-commit')?.output?.message;
  if (typeof commit === 'string') return commit;
  return stage.currentFreight?.commits[0]?.message?.split('\n')[0] ?? '';
}

/** The text of `tide pipeline status`: stages, then what waits at which gate and for how long, then pending approvals. */
export function pipelineStatusText(status: PipelineStatus, now = Date.now()): string {
  const parts = [`Pipeline: ${status.name} (${status.origin})`, `Sources:  ${status.sources.map((source) => `${source.name}=${source.kind}:${source.ref}`).join(', ')}`, ''];
  parts.push(table(['STAGE', 'FREIGHT', 'IMAGES', 'PROMOTION', 'HOLD', 'MESSAGE'], status.stages.map((stage) => [
    stage.name, stage.currentFreight?.alias ?? '-', images(stage.currentFreight),
    stage.promotion ? `${stage.promotion.state}${stage.promotion.kind ? ` (${stage.promotion.kind}${stage.promotion.actor ? ` by ${stage.promotion.actor}` : ''})` : ''}${stage.promotion.reason ? `: ${stage.promotion.reason}` : ''}` : '-',
    stage.hold ? `held by ${stage.hold.by}` : '', message(stage),
  ])));
  const waiting = status.stages.flatMap((stage) => stage.waiting.filter((gate) => !gate.passed).map((gate) => [stage.name, gate.alias ?? gate.freight.slice(0, 12), gate.gate, sinceText(gate.since, now), gate.reason]));
  if (waiting.length > 0) parts.push('', 'Waiting at gates:', table(['STAGE', 'FREIGHT', 'GATE', 'FOR', 'REASON'], waiting));
  const pending = status.stages.flatMap((stage) => (stage.approvals?.pending ?? []).map((request) => [
    stage.name, request.alias ?? request.freight.slice(0, 12), `${request.approvals.length}/${stage.approvals!.required}`, request.requestedBy, sinceText(request.requestedAt, now), request.expiresAt,
    request.approvals.map((approval) => approval.user).join(','),
  ]));
  if (pending.length > 0) parts.push('', 'Pending approvals:', table(['STAGE', 'FREIGHT', 'APPROVALS', 'REQUESTED BY', 'WAITING', 'EXPIRES', 'APPROVED BY'], pending));
  return parts.join('\n');
}

/** `tide pipeline list|status|freight`. */
export function pipelineCommand(io: CommandIo): Command {
  const pipeline = new Command('pipeline').description('Promotion pipelines: stages, freight, gates and approvals');
  pipeline.command('list').description('List the pipelines and each stage\'s current freight')
    .addOption(new Option('-o, --output <format>').choices(['json', 'yaml']))
    .action(async (options: { output?: string }) => {
      const format = outputFormat(options.output, ['json', 'yaml']);
      const { items } = await io.client().request<{ items: PipelineSummary[] }>('GET', '/api/v1/pipelines');
      if (format === 'json' || format === 'yaml') return io.out(structured(items, format));
      io.out(table(['NAME', 'ORIGIN', 'STAGES'], items.map((item) => [
        item.name, item.origin, item.stages.map((stage) => `${stage.name}=${stage.currentFreight ?? '-'}${stage.hold ? '(held)' : ''}`).join(' '),
      ])));
    });
  pipeline.command('status').argument('<pipeline>').description('Each stage: current freight (alias, images, commit message), waiting gates and for how long, pending approvals')
    .addOption(new Option('-o, --output <format>').choices(['json', 'yaml']))
    .action(async (name: string, options: { output?: string }) => {
      const format = outputFormat(options.output, ['json', 'yaml']);
      const status = await io.client().request<PipelineStatus>('GET', path(name));
      io.out(format === 'json' || format === 'yaml' ? structured(status, format) : pipelineStatusText(status));
    });
  pipeline.command('freight').argument('<pipeline>').description('A pipeline\'s freight, newest first')
    .option('--limit <n>', 'how many', (value) => Number(value), 20)
    .addOption(new Option('-o, --output <format>').choices(['json', 'yaml']))
    .action(async (name: string, options: { limit: number; output?: string }) => {
      const format = outputFormat(options.output, ['json', 'yaml']);
      const { items } = await io.client().request<{ items: FreightView[] }>('GET', path(name, `/freight?limit=${options.limit}`));
      if (format === 'json' || format === 'yaml') return io.out(structured(items, format));
      io.out(table(['ALIAS', 'CREATED', 'IMAGES', 'VERIFIED IN', 'ID'], items.map((freight) => [freight.alias, freight.createdAt, images(freight), freight.verifiedIn.join(','), freight.id.slice(0, 12)])));
    });
  return pipeline;
}

/** `tide promote|approve|reject|rollback|release <pipeline> <stage> …`. */
export function promotionCommands(io: CommandIo): Command[] {
  const promote = new Command('promote').argument('<pipeline>').argument('<stage>').argument('<freight>', 'freight alias, id or id prefix')
    .description('Promote a freight to a stage (an older one than the stage runs also holds the stage)')
    .option('--comment <text>')
    .action(async (pipeline: string, stage: string, freight: string, options: { comment?: string }) => {
      const { promotion } = await io.client().request<{ promotion: { id: string; alias?: string } }>('POST', stagePath(pipeline, stage, 'promote'), { freight, ...(options.comment ? { comment: options.comment } : {}) });
      io.out(`promotion ${promotion.id} of ${promotion.alias ?? freight} to ${stage} requested`);
    });
  const decision = (verb: 'approve' | 'reject') => new Command(verb).argument('<pipeline>').argument('<stage>').argument('<freight>', 'freight alias, id or id prefix')
    .description(verb === 'approve' ? 'Approve a freight waiting for approval in a stage (approver role)' : 'Reject a freight waiting for approval in a stage')
    .option('--comment <text>')
    .action(async (pipeline: string, stage: string, freight: string, options: { comment?: string }) => {
      const result = await io.client().request<{ alias: string; approvals: number; required: number }>('POST', stagePath(pipeline, stage, verb), { freight, ...(options.comment ? { comment: options.comment } : {}) });
      io.out(verb === 'approve' ? `approved ${result.alias} for ${stage} (${result.approvals}/${result.required})` : `rejected ${result.alias} for ${stage}`);
    });
  const rollback = new Command('rollback').argument('<pipeline>').argument('<stage>')
    .description('Roll a stage back (default: the freight before the current) and hold it until `tide release`')
    .option('--freight <freight>', 'the freight to roll back to')
    .action(async (pipeline: string, stage: string, options: { freight?: string }) => {
      const result = await io.client().request<{ promotion: { alias?: string; freight: string }; hold: { by: string } }>('POST', stagePath(pipeline, stage, 'rollback'), options.freight ? { freight: options.freight } : {});
      io.out(`rolling ${stage} back to ${result.promotion.alias ?? result.promotion.freight}; held by ${result.hold.by} until released`);
    });
  const release = new Command('release').argument('<pipeline>').argument('<stage>').description('Release a stage\'s hold: automatic promotion resumes')
    .action(async (pipeline: string, stage: string) => {
      const result = await io.client().request<{ released: boolean }>('POST', stagePath(pipeline, stage, 'release'));
      io.out(result.released ? `${stage} released` : `${stage} was not held`);
    });
  return [promote, decision('approve'), decision('reject'), rollback, release];
}
