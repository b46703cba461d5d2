#!/usr/bin/env node
// The `tide` command. `tide all` runs every service in one process (the embedded default);
// `tide status` and `tide events` read what the services recorded in Redis; `tide history` too, and `tide rollback`,
// `tide resume` and `tide diff` ask the syncer through the control queue and wait for its answer.
import { userInfo } from 'node:os';
import { configPollIntervalMsFrom, createLiveConfig, loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { readAllEvents } from '@tidewater/events';
import { createRedisConnection, redisKeys, subscribeConfigChanges, type AppComparison, type ControlJob, type SyncResult, type AppHealth } from '@tidewater/queues';
import { webhookIngressFromEnv } from '@tidewater/gateway';
import { readHistory, readPause } from '@tidewater/syncer';
import { createLogger, onHangup, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { requestControl } from './control-client.ts';
import { formatControlResult } from './control-output.ts';
import { formatHistory } from './history-table.ts';
import { formatStatus, statusHeader } from './status.ts';
import { startAll } from './start-all.ts';

const [command = 'help', ...args] = process.argv.slice(2);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const configDir = process.env.TIDEWATER_CONFIG;

async function loadConfig(): Promise<TidewaterConfig> {
  if (!configDir) throw new Error('TIDEWATER_CONFIG is not set: point it at a directory of configuration documents');
  return loadConfigSource(configDir);
}

async function runAll(): Promise<void> {
  const telemetry = startTelemetry({ serviceName: 'tidewater' });
  const logger = createLogger('tide');
  let config = await loadConfig();
  for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');
  const running = await startAll({
    redisUrl,
    config: () => config,
    port: Number(process.env.PORT ?? 8080),
    host: process.env.HOST ?? '127.0.0.1',
    ...(process.env.TIDEWATER_CACHE_DIR ? { cacheDir: process.env.TIDEWATER_CACHE_DIR } : {}),
    tools: { helm: process.env.TIDEWATER_HELM ?? 'helm', kustomize: process.env.TIDEWATER_KUSTOMIZE ?? 'kustomize' },
    ...(process.env.TIDEWATER_WEBHOOK_SECRET ? { globalWebhookSecret: process.env.TIDEWATER_WEBHOOK_SECRET } : {}),
    webhookIngress: webhookIngressFromEnv(process.env),
    ...(process.env.TIDEWATER_RECONCILE_INTERVAL_MS ? { reconcileIntervalMs: Number(process.env.TIDEWATER_RECONCILE_INTERVAL_MS) } : {}),
    ...(process.env.TIDEWATER_AUDIT_DIR ? { auditDir: process.env.TIDEWATER_AUDIT_DIR } : {}),
    ...(process.env.AUDIT_PORT ? { auditPort: Number(process.env.AUDIT_PORT) } : {}),
    configSource: configDir,
    logger,
  });
  logger.info({ gateway: running.gatewayUrl, applications: config.applications.length }, 'tidewater running');
  // Live configuration: SIGHUP, a push to the git:: config repository (through the gateway), or a poll of it.
  const live = createLiveConfig({
    source: configDir!, initial: config, logger, pollIntervalMs: configPollIntervalMsFrom(), apply: (next) => { config = next; },
  });
  const configChanges = subscribeConfigChanges(redisUrl, () => void live.reload('webhook'));
  onHangup(() => void live.reload('signal'));
  stopOnSignals({
    service: 'tide', logger, deadlineMs: 30_000,
    async stop() {
      live.close();
      await configChanges.close();
      await running.close();
      await telemetry.shutdown();
    },
  });
}

async function showStatus(): Promise<void> {
  const redis = createRedisConnection(redisUrl, 'worker');
  const config = await loadConfig();
  const apps = args.length ? args : config.applications.map((app) => app.metadata.name);
  console.log(statusHeader);
  for (const app of apps) {
    const [sync, health, drift, paused, comparison] = await redis.mget(
      redisKeys.syncStatus(app), redisKeys.appHealth(app), redisKeys.appDrift(app), redisKeys.paused(app), redisKeys.comparison(app),
    );
    const driftRecord = drift ? (JSON.parse(drift) as { outOfSync?: boolean; objects?: Array<{ ref?: { kind?: string; name?: string } }> }) : undefined;
    console.log(formatStatus({
      app,
      ...(sync ? { sync: JSON.parse(sync) as SyncResult } : {}),
      ...(comparison ? { comparison: JSON.parse(comparison) as AppComparison } : {}),
      ...(health ? { health: JSON.parse(health) as AppHealth } : {}),
      ...(driftRecord?.outOfSync ? { drift: (driftRecord.objects ?? []).map((o) => `${o.ref?.kind}/${o.ref?.name}`) } : {}),
      ...(paused ? { paused: JSON.parse(paused) as { revision: string; by?: string } } : {}),
    }));
  }
  redis.disconnect();
}

async function showEvents(): Promise<void> {
  const redis = createRedisConnection(redisUrl, 'worker');
  for (const event of await readAllEvents(redis)) {
    console.log(`${event.time}  ${event.type.padEnd(34)} ${event.subject ?? ''}  ${event.data.revision ? String(event.data.revision).slice(0, 12) : ''}`);
  }
  redis.disconnect();
}

const json = args.includes('--json');
// `--flag value` options of `tide sync` (repeatable) and plain flags; the rest are positional.
const valueFlags = new Set(['--resource', '--sync-option']);
const flagValues = (flag: string) => args.flatMap((arg, index) => (arg === flag && args[index + 1] !== undefined ? [args[index + 1]] : []));
const positional = args.filter((arg, index) => !arg.startsWith('--') && !valueFlags.has(args[index - 1] ?? ''));

function requireApp(usage: string): string {
  const app = positional[0];
  if (!app) throw new Error(`usage: tide ${usage}`);
  return app;
}

async function showHistory(): Promise<void> {
  const app = requireApp('history <app> [--json]');
  const redis = createRedisConnection(redisUrl, 'worker', { maxRetriesPerRequest: 3 });
  try {
    const [entries, pause] = await Promise.all([readHistory(redis, app), readPause(redis, app)]);
    console.log(json ? JSON.stringify({ app, paused: pause?.record ?? null, history: entries }, null, 2) : formatHistory(app, entries, pause?.record));
  } finally {
    redis.disconnect();
  }
}

/** The actor recorded for an operator's request: TIDE_ACTOR, else the login name. */
function actor(): string {
  return process.env.TIDE_ACTOR ?? userInfo().username;
}

function control(kind: 'rollback' | 'resume' | 'diff', usage: string): () => Promise<void> {
  return async () => {
    const app = requireApp(usage);
    const revision = positional[1];
    const job: ControlJob = kind === 'resume'
      ? { kind, app, actor: actor(), trace: {} }
      : kind === 'rollback'
        ? { kind, app, actor: actor(), trace: {}, ...(revision ? { revision } : {}) }
        : { kind, app, trace: {}, ...(revision ? { revision } : {}) };
    const timeoutMs = Number(process.env.TIDE_TIMEOUT_MS) || undefined;
    const result = await requestControl(job, { redisUrl, ...(timeoutMs ? { timeoutMs } : {}) });
    console.log(json ? JSON.stringify(result, null, 2) : formatControlResult(kind, app, result));
  };
}

/** `tide sync <app> [revision] [--prune] [--dry-run] [--force] [--resource g:k:[ns/]name]… [--sync-option K=V]…` */
async function syncApp(): Promise<void> {
  const app = requireApp('sync <app> [revision] [--prune] [--dry-run] [--force] [--resource group:kind:[namespace/]name]... [--sync-option Key=value]... [--json]');
  const revision = positional[1];
  const resources = flagValues('--resource');
  const job: ControlJob = {
    kind: 'sync', app, actor: actor(), trace: {}, ...(revision ? { revision } : {}),
    prune: args.includes('--prune'), dryRun: args.includes('--dry-run'), force: args.includes('--force'),
    ...(resources.length ? { resources } : {}), syncOptions: flagValues('--sync-option'),
  };
  const timeoutMs = Number(process.env.TIDE_TIMEOUT_MS) || undefined;
  const result = await requestControl(job, { redisUrl, ...(timeoutMs ? { timeoutMs } : {}) }) as { revision?: string; result?: SyncResult };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const sync = result.result;
  const counts = new Map<string, number>();
  for (const object of sync?.objects ?? []) counts.set(object.outcome, (counts.get(object.outcome) ?? 0) + 1);
  console.log(`${app} ${sync?.dryRun ? 'dry-run sync' : 'synced'} at ${(result.revision ?? '?').slice(0, 12)}: ${sync?.phase ?? '?'}`
    + ` (${[...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'no objects'})${sync?.message ? ` — ${sync.message}` : ''}`);
}

async function terminateApp(): Promise<void> {
  const app = requireApp('terminate <app> [--json]');
  const result = await requestControl({ kind: 'terminate', app, actor: actor(), trace: {} }, { redisUrl }) as { terminated?: boolean; sync?: SyncResult };
  const outcome = result.terminated ? 'running sync terminated' : 'the sync finished before the request reached it';
  console.log(json ? JSON.stringify(result, null, 2) : `${app}: ${outcome}${result.sync?.message ? ` (${result.sync.message})` : ''}`);
}

const commands: Record<string, () => Promise<void>> = {
  sync: syncApp, terminate: terminateApp,
  all: runAll, status: showStatus, events: showEvents, history: showHistory,
  rollback: control('rollback', 'rollback <app> [revision] [--json]'),
  resume: control('resume', 'resume <app> [--json]'),
  diff: control('diff', 'diff <app> [revision] [--json]'),
};
if (!commands[command]) {
  console.log([
    'usage: tide all | status [app…] | events | history <app> | rollback <app> [revision] | resume <app> | diff <app> [revision]',
    '       tide sync <app> [revision] [--prune] [--dry-run] [--force] [--resource group:kind:[namespace/]name]… [--sync-option Key=value]… | terminate <app>',
    '  history, rollback, resume and diff take --json; rollback and resume record TIDE_ACTOR (default: your login) as the actor',
    '  env: REDIS_URL, TIDEWATER_CONFIG (config dir), PORT, HOST, TIDEWATER_HELM, TIDEWATER_KUSTOMIZE, TIDE_TIMEOUT_MS',
  ].join('\n'));
  process.exit(command === 'help' ? 0 : 2);
}
await commands[command]().catch((error: Error) => {
  console.error(`tide ${command}: ${error.message}`);
  process.exit(1);
});
