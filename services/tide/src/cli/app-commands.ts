import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import type { Application } from '@tidewater/api';
import { formatHistory } from '../history-table.ts';
import type { ApiClient } from './api-client.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { outputFormat, short, structured, table } from './output.ts';

export interface CommandIo {
  client(): ApiClient;
  out(text: string): void;
  err(text: string): void;
}

type HistoryItem = Application['status']['history'][number];
interface DiffResponse {
  app: string;
  revision: string;
  modified: boolean;
  objects: Array<{ group: string; kind: string; namespace?: string; name: string; status: string; diff: string; message?: string }>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const path = (app: string, rest = '') => `/api/v1/applications/${encodeURIComponent(app)}${rest}`;

function listRows(apps: readonly Application[], wide: boolean): string {
  const header = ['NAME', 'CLUSTER', 'NAMESPACE', 'PROJECT', 'STATUS', 'HEALTH', 'SYNCPOLICY', 'CONDITIONS', ...(wide ? ['REPO', 'PATH', 'TARGET', 'REVISION'] : [])];
  return table(header, apps.map((app) => {
    const { source, destination, syncPolicy } = app.spec as { source: Record<string, string>; destination: Record<string, string>; syncPolicy?: { automated?: object } };
    return [
      app.metadata.name, destination.server ?? destination.name ?? '', destination.namespace ?? '', app.spec.project,
      app.status.sync.status, app.status.health.status, syncPolicy?.automated ? 'Auto' : 'Manual',
      app.status.conditions.map((condition) => condition.type).join(',') || '<none>',
      ...(wide ? [source.repoURL ?? '', source.path ?? source.chart ?? '', source.targetRevision ?? '', short(app.status.sync.revision)] : []),
    ];
  }));
}

/** `argocd app get`'s text: a summary, the operation, then the resources. */
export function describeApp(app: Application): string {
  const { source, destination } = app.spec as { source: Record<string, string>; destination: Record<string, string> };
  const operation = app.status.operationState;
  const lines = [
    `Name:               ${app.metadata.name}`,
    `Project:            ${app.spec.project}`,
    `Server:             ${destination.server ?? destination.name ?? ''}`,
    `Namespace:          ${destination.namespace ?? ''}`,
    `Repo:               ${source.repoURL ?? ''}`,
    `Target:             ${source.targetRevision ?? ''}`,
    `Path:               ${source.path ?? source.chart ?? ''}`,
    `Sync Status:        ${app.status.sync.status}${app.status.sync.revision ? ` to ${short(app.status.sync.revision)}` : ''}`,
    `Health Status:      ${app.status.health.status}${app.status.health.message ? ` (${app.status.health.message})` : ''}`,
    ...(app.status.paused ? [`Automated Sync:     PAUSED at ${short(app.status.paused.revision)}${app.status.paused.by ? ` by ${app.status.paused.by}` : ''} (a new commit or \`tide app resume ${app.metadata.name}\` resumes it)`] : []),
    ...(operation ? [`Operation:          ${operation.operation.kind} ${operation.phase}${operation.message ? `: ${operation.message}` : ''}${operation.operation.initiatedBy.username ? ` (by ${operation.operation.initiatedBy.username})` : ''}`] : []),
    ...app.status.conditions.map((condition) => `Condition:          ${condition.type}: ${condition.message}`),
  ];
  if (app.status.resources.length > 0) {
    lines.push('', table(['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'MESSAGE'], app.status.resources.map((resource) => [
      resource.group, resource.kind, resource.namespace ?? '', resource.name, resource.status, resource.health?.status ?? '', resource.message ?? resource.health?.message ?? '',
    ])));
  }
  return lines.join('\n');
}

function diffText(diff: DiffResponse): string {
  const changed = diff.objects.filter((object) => object.status !== 'unchanged');
  if (changed.length === 0) return '';
  return changed.map((object) => [
    `===== ${object.group}/${object.kind} ${object.namespace ?? ''}/${object.name} ${object.status} ======`,
    ...(object.message ? [`# ${object.message}`] : []),
    object.diff.trimEnd(),
  ].join('\n')).join('\n');
}

const finished = (phase: string | undefined) => phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';

/**
 * Follows an operation until it finishes (and, after a successful sync, until the app is healthy), printing each
 * change of phase, sync and health. Fails with exit code 20 on a failed operation or at the deadline.
 */
async function waitForOperation(io: CommandIo, app: string, jobId: string | undefined, options: { timeoutSeconds: number; health: boolean }): Promise<Application> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const current = await io.client().request<Application>('GET', path(app));
    const operation = current.status.operationState;
    const ours = operation && (!jobId || operation.operation.jobId === jobId) ? operation : undefined;
    const line = `${new Date().toISOString()}  operation ${ours?.phase ?? 'Pending'}  sync ${current.status.sync.status}  health ${current.status.health.status}${ours?.message ? `  ${ours.message}` : ''}`;
    const summary = line.slice(26);
    if (summary !== last) io.err(line);
    last = summary;
    if (ours && finished(ours.phase)) {
      if (ours.phase !== 'Succeeded') throw new CliError(`${ours.operation.kind} of ${app} ${ours.phase.toLowerCase()}: ${ours.message ?? 'no message'}`);
      if (!options.health || current.status.health.status === 'Healthy' || current.status.health.status === 'Missing' && current.status.resources.length === 0) return current;
    }
    if (Date.now() > deadline) throw new CliError(`timed out after ${options.timeoutSeconds} s waiting for ${app} (${summary.trim()})`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** `tide app …`: argocd app's verbs, flags and exit codes, through the API. */
export function appCommand(io: CommandIo): Command {
  const app = new Command('app').description('Manage applications (as `argocd app`)');
  const output = () => new Option('-o, --output <format>', 'output format: wide|json|yaml').choices(['wide', 'json', 'yaml']);

  app.command('list').description('List applications')
    .option('-p, --project <project>', 'filter by project (repeatable)', collect)
    .option('-l, --selector <selector>', 'label selector, e.g. team=web')
    .addOption(new Option('-o, --output <format>', 'output format: wide|json|yaml|name').choices(['wide', 'json', 'yaml', 'name']))
    .action(async (options: { project?: string[]; selector?: string; output?: string }) => {
      const query = new URLSearchParams();
      for (const project of options.project ?? []) query.append('project', project);
      if (options.selector) query.set('selector', options.selector);
      const list = await io.client().request<{ items: Application[] }>('GET', `/api/v1/applications${query.size ? `?${query}` : ''}`);
      const format = outputFormat(options.output, ['wide', 'json', 'yaml', 'name']);
      if (format === 'json' || format === 'yaml') return io.out(structured(list.items, format));
      if (format === 'name') return io.out(list.items.map((item) => item.metadata.name).join('\n'));
      io.out(listRows(list.items, format === 'wide'));
    });

  app.command('get').description('Show an application: status, operation and resources').argument('<app>')
    .option('--refresh', 'compare desired and live state now (a server-side diff)')
    .option('--hard-refresh', 'same as --refresh (Tidewater keeps no manifest cache in the API)')
    .addOption(output())
    .action(async (name: string, options: { refresh?: boolean; hardRefresh?: boolean; output?: string }) => {
      const refresh = options.hardRefresh ? '?refresh=hard' : options.refresh ? '?refresh=normal' : '';
      const current = await io.client().request<Application>('GET', path(name, refresh));
      const format = outputFormat(options.output);
      io.out(format === 'json' || format === 'yaml' ? structured(current, format) : describeApp(current));
    });

  app.command('sync').description('Sync an application to its target revision (waits for the result unless --async)').argument('<app>')
    .option('--revision <revision>', 'sync to this commit, branch or tag')
    .option('--prune', 'delete resources no longer in Git')
    .option('--dry-run', 'preview: apply with dry-run')
    .option('--force', 'force apply (replace on conflict)')
    .option('--resource <group:kind:name>', 'sync only this resource (repeatable; group:kind:namespace/name for namespaced)', collect)
    .option('--sync-option <option>', 'an Argo CD sync option such as Replace=true (repeatable)', collect)
    .option('--server-side', 'use server-side apply (ServerSideApply=true)')
    .option('--async', 'do not wait for the operation to finish')
    .option('--wait', 'wait for the operation and for health (the default; kept for scripts)')
    .option('--timeout <seconds>', 'give up waiting after this many seconds', (value) => Number(value), 300)
    .addOption(output())
    .action(async (name: string, options: { revision?: string; prune?: boolean; dryRun?: boolean; force?: boolean; resource?: string[]; syncOption?: string[]; serverSide?: boolean; async?: boolean; timeout: number; output?: string }) => {
      const syncOptions = [...(options.syncOption ?? []), ...(options.serverSide ? ['ServerSideApply=true'] : [])];
      const started = await io.client().request<Application>('POST', path(name, '/sync'), {
        ...(options.revision ? { revision: options.revision } : {}), prune: Boolean(options.prune), dryRun: Boolean(options.dryRun),
        ...(options.resource ? { resources: options.resource } : {}), ...(syncOptions.length ? { syncOptions } : {}),
        ...(options.force ? { strategy: { apply: { force: true } } } : {}),
      });
      const jobId = started.status.operationState?.operation.jobId;
      io.err(`sync of ${name} requested${jobId ? ` (operation ${jobId})` : ''}`);
      if (options.async) return;
      const done = await waitForOperation(io, name, jobId, { timeoutSeconds: options.timeout, health: !options.dryRun });
      const format = outputFormat(options.output);
      io.out(format === 'json' || format === 'yaml' ? structured(done, format) : describeApp(done));
    });

  app.command('diff').description('Show differences between Git and the cluster (exit 1 when they differ, 2 on error)').argument('<app>')
    .option('--revision <revision>', 'compare this revision (one the app synced, or rendered and queued) with the live state')
    .action(async (name: string, options: { revision?: string }) => {
      try {
        const diff = await io.client().request<DiffResponse>('GET', path(name, `/server-side-diff${options.revision ? `?revision=${encodeURIComponent(options.revision)}` : ''}`));
        const text = diffText(diff);
        if (text) io.out(text);
        if (diff.modified) throw new CliError('', exitCodes.commandSpecific);
      } catch (error) {
        if (error instanceof CliError && error.exitCode === exitCodes.commandSpecific) throw error;
        throw new CliError((error as Error).message, exitCodes.diffError);
      }
    });

  app.command('history').description('Show the recorded syncs of an application').argument('<app>').addOption(output())
    .action(async (name: string, options: { output?: string }) => {
      const history = await io.client().request<{ history: HistoryItem[]; paused?: { revision: string; by?: string; at?: string; reason?: string } }>('GET', path(name, '/history'));
      const format = outputFormat(options.output);
      if (format === 'json' || format === 'yaml') return io.out(structured(history, format));
      io.out(formatHistory(name, history.history.map((entry) => ({
        id: entry.id, app: name, revision: entry.revision, phase: entry.phase as 'Succeeded', startedAt: entry.deployStartedAt, finishedAt: entry.deployedAt,
        durationMs: Math.max(0, Date.parse(entry.deployedAt) - Date.parse(entry.deployStartedAt)) || 0,
        trigger: { kind: entry.trigger, ...(entry.initiatedBy.username ? { actor: entry.initiatedBy.username } : {}) }, ...(entry.message ? { message: entry.message } : {}),
      })), history.paused ? { revision: history.paused.revision, ...(history.paused.by ? { by: history.paused.by } : {}), ...(history.paused.at ? { at: history.paused.at } : {}), ...(history.paused.reason ? { reason: history.paused.reason } : {}) } : undefined));
    });

  app.command('rollback').description('Roll back to a history id (default: the previous sync); pauses automated sync').argument('<app>').argument('[id]', 'history id (tide app history)')
    .option('--timeout <seconds>', 'give up waiting after this many seconds', (value) => Number(value), 300)
    .option('--async', 'do not wait for the rollback to finish')
    .action(async (name: string, id: string | undefined, options: { timeout: number; async?: boolean }) => {
      if (id !== undefined && !/^\d+$/.test(id)) throw new CliError(`history id must be a number (tide app history ${name}), got ${id}`);
      const started = await io.client().request<Application>('POST', path(name, '/rollback'), { id: id === undefined ? 0 : Number(id) });
      const jobId = started.status.operationState?.operation.jobId;
      if (options.async) return io.out(`rollback of ${name} requested (operation ${jobId ?? '?'})`);
      const done = await waitForOperation(io, name, jobId, { timeoutSeconds: options.timeout, health: false });
      const result = done.status.operationState?.result as { revision?: string; from?: string } | undefined;
      io.out(`${name} rolled back to ${short(result?.revision)}${result?.from ? ` (was ${short(result.from)})` : ''}\nautomated sync is paused: a new commit on the branch or \`tide app resume ${name}\` resumes it`);
    });

  app.command('resume').description('Resume automated sync paused by a rollback').argument('<app>')
    .action(async (name: string) => {
      const result = await io.client().request<{ resumed: boolean; pausedRevision?: string; catchUpRevision?: string }>('POST', path(name, '/resume'));
      if (!result.resumed) return io.out(`${name} was not paused; nothing to resume`);
      io.out(`${name}: automated sync resumed${result.pausedRevision ? ` (was held at ${short(result.pausedRevision)})` : ''}${result.catchUpRevision ? `; catching up from ${short(result.catchUpRevision)} to the branch head` : ''}`);
    });

  app.command('wait').description('Wait until an application is synced and healthy (or what the flags ask)').argument('<app>')
    .option('--sync', 'wait for Synced').option('--health', 'wait for Healthy').option('--operation', 'wait until no operation runs')
    .option('--degraded', 'wait for Degraded').option('--suspended', 'wait for Suspended')
    .option('--timeout <seconds>', 'give up after this many seconds', (value) => Number(value), 300)
    .action(async (name: string, options: { sync?: boolean; health?: boolean; operation?: boolean; degraded?: boolean; suspended?: boolean; timeout: number }) => {
      const all = !options.sync && !options.health && !options.operation && !options.degraded && !options.suspended;
      const deadline = Date.now() + options.timeout * 1000;
      for (;;) {
        const current = await io.client().request<Application>('GET', path(name));
        const health = current.status.health.status;
        const ok = ((!options.sync && !all) || current.status.sync.status === 'Synced')
          && ((!options.health && !all) || health === 'Healthy')
          && ((!options.operation && !all) || !current.status.operationState || finished(current.status.operationState.phase))
          && (!options.degraded || health === 'Degraded') && (!options.suspended || health === 'Suspended');
        if (ok) return io.out(describeApp(current));
        if (Date.now() > deadline) throw new CliError(`timed out after ${options.timeout} s: ${name} is ${current.status.sync.status}/${health}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    });

  app.command('terminate-op').description('Terminate the running sync of an application').argument('<app>')
    .action(async (name: string) => {
      await io.client().request('DELETE', path(name, '/operation'));
      io.out(`Application '${name}' operation terminating`);
    });

  app.command('delete').description('Delete an application: refused, it is defined in Git (the answer names the file and document to remove)').argument('<app>')
    .action(async (name: string) => {
      await io.client().request('DELETE', path(name));
      io.out(`application '${name}' deleted`);
    });

  app.command('manifests').description('Print the rendered manifests of the latest (or a given) synced revision').argument('<app>')
    .option('--revision <revision>', 'a revision from the history')
    .action(async (name: string, options: { revision?: string }) => {
      const response = await io.client().request<{ manifests: string[] }>('GET', path(name, `/manifests${options.revision ? `?revision=${encodeURIComponent(options.revision)}` : ''}`));
      io.out(response.manifests.map((manifest) => stringify(JSON.parse(manifest)).trimEnd()).join('\n---\n'));
    });

  return app;
}
