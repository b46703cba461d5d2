import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createRedisConnection } from '@tidewater/queues';
import { createLogger, recordEventMetrics, reloadOnHangup, startMetricsServer, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { parsePromoterEnv, promoterGitCredentialsFromEnv, registryCredentialsFromEnv } from './env.ts';
import { createPromoter } from './promoter.ts';

const logger = createLogger('promoter');
const env = parsePromoterEnv(process.env);
const telemetry = startTelemetry({ serviceName: 'tidewater-promoter' });
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1');

let config: TidewaterConfig = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const redis = createRedisConnection(env.REDIS_URL, 'worker');
redis.on('error', (error) => logger.error({ reason: error.message }, 'redis connection error'));
const gitCredentials = promoterGitCredentialsFromEnv(process.env);
const promoter = createPromoter({
  config: () => config,
  redis,
  logger,
  events: createEventPublisher({ redis, source: '/tidewater/promoter', onPublished: recordEventMetrics }),
  cacheDir: env.TIDEWATER_PROMOTER_CACHE_DIR ?? join(homedir(), '.cache', 'tidewater', 'promoter'),
  concurrency: env.TIDEWATER_PROMOTER_CONCURRENCY,
  pollIntervalMs: env.TIDEWATER_IMAGE_POLL_INTERVAL_MS,
  registry: {
    credentials: registryCredentialsFromEnv(process.env),
    requestBudgetPerMinute: env.TIDEWATER_REGISTRY_REQUEST_BUDGET_PER_MINUTE,
    ...(env.TIDEWATER_INSECURE_REGISTRIES ? { insecureHosts: env.TIDEWATER_INSECURE_REGISTRIES.split(',').map((host) => host.trim()) } : {}),
  },
  ...(gitCredentials ? { git: { credentials: gitCredentials } } : {}),
});
logger.info('promoter started');

reloadOnHangup({ logger, load: () => loadConfigSource(env.TIDEWATER_CONFIG), apply: (reloaded) => { config = reloaded; } });
stopOnSignals({
  service: 'promoter', logger, deadlineMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS,
  async stop() {
    await promoter.close();
    await redis.quit();
    await telemetry.shutdown();
  },
});
