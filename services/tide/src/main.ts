// The `tide` command. `tide all` runs every service in one process (the embedded default);
// `tide status` and `tide events` read what the services recorded in Redis.
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { readAllEvents } from '@tidewater/events';
import { createRedisConnection, redisKeys, type SyncResult } from '@tidewater/queues';
import { createLogger, startTelemetry } from '@tidewater/telemetry';
import { formatStatus } from './status.ts';
import { startAll } from './start-all.ts';

const [command = 'help', ...args] = process.argv.slice(2);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const configDir = process.env.TIDEWATER_CONFIG;

async function loadConfig(): Promise<TidewaterConfig> {
  if (!configDir) throw new Error('TIDEWATER_CONFIG is not set: point it at a directory of configuration documents');
  return loadConfigDir(configDir);
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
    logger,
  });
  logger.info({ gateway: running.gatewayUrl, applications: config.applications.length }, 'tidewater running');
  process.on('SIGHUP', () => {
    loadConfig().then((next) => {
      config = next;
      logger.info({ applications: next.applications.length }, 'configuration reloaded');
    }, (error: Error) => logger.error({ reason: error.message }, 'configuration reload failed; keeping the previous one'));
  });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'tidewater stopping');
    const deadline = setTimeout(() => process.exit(1), 30_000);
    deadline.unref();
    await running.close();
    await telemetry.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

async function showStatus(): Promise<void> {
  const redis = createRedisConnection(redisUrl, 'worker');
  const config = await loadConfig();
  const apps = args.length ? args : config.applications.map((app) => app.metadata.name);
  for (const app of apps) {
    const raw = await redis.get(redisKeys.syncStatus(app));
    console.log(formatStatus(app, raw ? (JSON.parse(raw) as SyncResult) : undefined));
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

const commands: Record<string, () => Promise<void>> = { all: runAll, status: showStatus, events: showEvents };
if (!commands[command]) {
  console.log('usage: tide all | status [app…] | events\n  env: REDIS_URL, TIDEWATER_CONFIG (config dir), PORT, HOST, TIDEWATER_HELM, TIDEWATER_KUSTOMIZE');
  process.exit(command === 'help' ? 0 : 2);
}
await commands[command]().catch((error: Error) => {
  console.error(`tide ${command}: ${error.message}`);
  process.exit(1);
});
