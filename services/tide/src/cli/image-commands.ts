import { Command, Option } from 'commander';
import type { ImagePolicyView, ImageUpdateEvent } from '@tidewater/api';
import type { CommandIo } from './app-commands.ts';
import { outputFormat, short, structured, table } from './output.ts';

function target(policy: ImagePolicyView): string {
  const { target: written, branch } = policy.writeBack;
  return `${written.kind}:${written.path ?? written.file ?? ''}${branch ? `@${branch}` : ''}`;
}

/** One line of an image event: what changed, or why not. */
function detail(event: ImageUpdateEvent): string {
  const data = event.data as Record<string, string | undefined>;
  if (event.type.endsWith('.updated')) return `${data.oldTag ?? short(data.oldDigest)} -> ${data.newTag ?? ''} (commit ${short(data.commit)})`;
  if (event.type.endsWith('.discovered')) return `${data.tag ?? short(data.digest)} via ${data.provider ?? ''}`;
  return `${data.tag ?? ''} ${data.cause ? `${data.cause}: ` : ''}${data.reason ?? ''}`.trim();
}

/** `tide image list` and `tide image updates`. */
export function imageCommand(io: CommandIo): Command {
  const image = new Command('image').description('Image update policies and the promoter\'s recent image updates');
  image.command('list').description('List the configured image policies')
    .option('--app <app>', 'only the policies of this application')
    .addOption(new Option('-o, --output <format>').choices(['wide', 'json', 'yaml']))
    .action(async (options: { app?: string; output?: string }) => {
      const format = outputFormat(options.output);
      const query = options.app ? `?app=${encodeURIComponent(options.app)}` : '';
      const { items } = await io.client().request<{ items: ImagePolicyView[] }>('GET', `/api/v1/images${query}`);
      if (format === 'json' || format === 'yaml') return io.out(structured(items, format));
      const wide = format === 'wide';
      io.out(table(['APP', 'IMAGE', 'STRATEGY', 'CONSTRAINT', 'WRITE-BACK', 'DISABLED', ...(wide ? ['ID', 'ORIGIN', 'ALLOW-TAGS'] : [])], items.map((policy) => [
        policy.app, policy.image, policy.strategy, policy.constraint ?? '', target(policy), policy.disabledReason ?? '',
        ...(wide ? [policy.id, policy.origin, policy.allowTags ?? ''] : []),
      ])));
    });
  image.command('updates').description('Show recent image events (discovered, updated, update-failed, pinned), newest first')
    .option('--app <app>', 'only events of this application')
    .option('--limit <n>', 'how many events', (value) => Number(value), 50)
    .addOption(new Option('-o, --output <format>').choices(['json', 'yaml']))
    .action(async (options: { app?: string; limit: number; output?: string }) => {
      const format = outputFormat(options.output, ['json', 'yaml']);
      const query = new URLSearchParams({ limit: String(options.limit), ...(options.app ? { app: options.app } : {}) });
      const { items } = await io.client().request<{ items: ImageUpdateEvent[] }>('GET', `/api/v1/images/updates?${query}`);
      if (format === 'json' || format === 'yaml') return io.out(structured(items, format));
      io.out(table(['TIME', 'APP', 'EVENT', 'IMAGE', 'DETAIL'], items.map((event) => [
        event.time, event.app, event.type.replace('dev.tidewater.image.', ''), event.image, detail(event),
      ])));
    });
  return image;
}
