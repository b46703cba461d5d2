import { Command, Option } from 'commander';
import type { CommandIo } from './app-commands.ts';
import { outputFormat, short, structured } from './output.ts';

interface StreamedEvent { streamId: string; event: { type: string; time: string; subject?: string; data: Record<string, unknown> } }

function eventLine({ event }: StreamedEvent): string {
  const revision = typeof event.data.revision === 'string' ? short(event.data.revision) : '';
  const actor = typeof event.data.actor === 'string' ? `by ${event.data.actor}` : '';
  return `${event.time}  ${event.type.padEnd(36)} ${(event.subject ?? '').padEnd(20)} ${revision.padEnd(12)} ${actor}`.trimEnd();
}

/** `tide events [-f]` and `tide audit …`. */
export function eventsCommands(io: CommandIo): Command[] {
  const events = new Command('events').description('Show recent events (-f: follow new ones)')
    .option('-f, --follow', 'keep streaming new events')
    .option('--app <app>', 'only events of this application')
    .option('--type <type>', 'only this type (a trailing * matches a prefix)')
    .option('--limit <n>', 'how many recent events', (value) => Number(value), 100)
    .addOption(new Option('-o, --output <format>').choices(['json']))
    .action(async (options: { follow?: boolean; app?: string; type?: string; limit: number; output?: string }) => {
      const json = outputFormat(options.output, ['json']) === 'json';
      const print = (entry: StreamedEvent) => io.out(json ? JSON.stringify(entry.event) : eventLine(entry));
      const query = new URLSearchParams({ limit: String(options.limit), ...(options.app ? { app: options.app } : {}), ...(options.type ? { type: options.type } : {}) });
      // The newest page: read forward from the start, keeping the last `limit` entries.
      let page = await io.client().request<{ items: StreamedEvent[]; next?: string }>('GET', `/api/v1/events?${query}`);
      let recent = page.items;
      while (page.next) {
        page = await io.client().request<{ items: StreamedEvent[]; next?: string }>('GET', `/api/v1/events?${query}&after=${page.next}`);
        recent = [...recent, ...page.items].slice(-options.limit);
      }
      for (const entry of recent) print(entry);
      if (!options.follow) return;
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      await io.client().stream(`/api/v1/stream/events${options.app ? `?app=${encodeURIComponent(options.app)}` : ''}`, (name, data) => {
        if (name !== 'event') return;
        const entry = data as StreamedEvent;
        if (options.type && !(options.type.endsWith('*') ? entry.event.type.startsWith(options.type.slice(0, -1)) : entry.event.type === options.type)) return;
        print(entry);
      }, controller.signal);
    });

  const audit = new Command('audit').description('Query the audit log (needs audit get)')
    .option('--app <app>').option('--actor <actor>').option('--type <type>', 'exact type or prefix')
    .option('--from <time>', 'ISO 8601').option('--to <time>', 'ISO 8601')
    .option('--limit <n>', 'records per page', (value) => Number(value), 100)
    .addOption(new Option('-o, --output <format>').choices(['json', 'yaml']))
    .action(async (options: { app?: string; actor?: string; type?: string; from?: string; to?: string; limit: number; output?: string }) => {
      const query = new URLSearchParams(Object.entries({ app: options.app, actor: options.actor, type: options.type, from: options.from, to: options.to, limit: String(options.limit) })
        .flatMap(([key, value]): Array<[string, string]> => (value === undefined ? [] : [[key, value]])));
      const page = await io.client().request<{ records: Array<Record<string, unknown>> }>('GET', `/api/v1/audit/events?${query}`);
      const format = outputFormat(options.output, ['json', 'yaml']);
      if (format === 'json' || format === 'yaml') return io.out(structured(page.records, format));
      for (const record of page.records) {
        const event = (record.event ?? record) as { time?: string; type?: string; subject?: string; data?: Record<string, unknown> };
        io.out(`${String(record.seq ?? '').padStart(6)}  ${event.time ?? ''}  ${(event.type ?? '').padEnd(36)} ${(event.subject ?? '').padEnd(20)} ${typeof event.data?.actor === 'string' ? `by ${event.data.actor}` : ''}`.trimEnd());
      }
    });
  audit.command('verify').description('Verify the audit log\'s hash chain').action(async () => {
    const result = await io.client().request<{ ok: boolean }>('GET', '/api/v1/audit/verify');
    io.out(JSON.stringify(result, null, 2));
  });
  return [events, audit];
}
