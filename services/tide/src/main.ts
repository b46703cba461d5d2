#!/usr/bin/env node
// The `tide` command. `tide all` runs every service in one process (the embedded default);
// `tide status` and `tide events` read what the services recorded in Redis; `tide history` too, and `tide rollback`,
// `tide resume` and `tide diff` ask the syncer through the control queue and wait for its answer.
import { userInfo } from 'node:os';
import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { readAllEvents } from '@tidewater/events';
import { createRedisConnection, redisKeys, type ControlJob, type SyncResult, type AppHealth } from '@tidewater/queues';
import { webhookIngressFromEnv } from '@tidewater/gateway';
import { readHistory, readPause } from '@tidewater/syncer';
import { createLogger, startTelemetry, reloadOnHangup, stopOnSignals } from '@tidewater/telemetry';
import { requestControl } from './control-client.ts';
import { formatControlResult } from './control-output.ts';
import { formatHistory } from './history-table.ts';
import { formatStatus, statusHeader } from './status.ts';
import { startAll } from './start-all.ts';
import { workerConcurrencyFromEnv } from './concurrency-env.ts';

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
    ...workerConcurrencyFromEnv(process.env),
    ...(process.env.TIDEWATER_RECONCILE_INTERVAL_MS ? { reconcileIntervalMs: Number(process.env.TIDEWATER_RECONCILE_INTERVAL_MS) } : {}),
    ...(process.env.TIDEWATER_AUDIT_DIR ? { auditDir: process.env.TIDEWATER_AUDIT_DIR } : {}),
    ...(process.env.AUDIT_PORT ? { auditPort: Number(process.env.AUDIT_PORT) } : {}),
    logger,
  });
  logger.info({ gateway: running.gatewayUrl, applications: config.applications.length }, 'tidewater running');
  reloadOnHangup({ logger, load: loadConfig, apply: (next) => { config = next; } });
  stopOnSignals({
    service: 'tide', logger, deadlineMs: 30_000,
    async stop() {
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
    const [sync, health, drift, paused] = await redis.mget(redisKeys.syncStatus(app), redisKeys.appHealth(app), redisKeys.appDrift(app), redisKeys.paused(app));
    const driftRecord = drift ? (JSON.parse(drift) as { outOfSync?: boolean; objects?: Array<{ ref?: { kind?: string; name?: string } }> }) : undefined;
    console.log(formatStatus({
      app,
      ...(sync ? { sync: JSON.parse(sync) as SyncResult } : {}),
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
const positional = args.filter((arg) => arg !== '--json');

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

const commands: Record<string, () => Promise<void>> = {
  all: runAll, status: showStatus, events: showEvents, history: showHistory,
  rollback: control('rollback', 'rollback <app> [revision] [--json]'),
  resume: control('resume', 'resume <app> [--json]'),
  diff: control('diff', 'diff <app> [revision] [--json]'),
};
if (!commands[command]) {
  console.log([
    'usage: tide all | status [app…] | events | history <app> | rollback <app> [revision] | resume <app> | diff <app> [revision]',
    '  history, rollback, resume and diff take --json; rollback and resume record TIDE_ACTOR (default: your login) as the actor',
    '  env: REDIS_URL, TIDEWATER_CONFIG (config dir), PORT, HOST, TIDEWATER_HELM, TIDEWATER_KUSTOMIZE, TIDE_TIMEOUT_MS',
  ].join('\n'));
  process.exit(command === 'help' ? 0 : 2);
}
await commands[command]().catch((error: Error) => {
  console.error(`tide ${command}: ${error.message}`);
  process.exit(1);
});
