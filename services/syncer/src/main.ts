import { loadConfigDir } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createRedisConnection } from '@tidewater/queues';
import { createLogger, recordEventMetrics, startMetricsServer, startTelemetry } from '@tidewater/telemetry';
import { createClusterRegistry } from './clusters/cluster-registry.ts';
import { SyncerEnv } from './env.ts';
import { createSyncer } from './syncer.ts';

const telemetry = startTelemetry({ serviceName: 'tidewater-syncer' });
// Prometheus metrics at http://HOST:METRICS_PORT/metrics when METRICS_PORT is set.
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1');
const logger = createLogger('syncer');
const env = SyncerEnv.parse(process.env);
const config = await loadConfigDir(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const redis = createRedisConnection(env.REDIS_URL, 'worker');
redis.on('error', (error) => logger.error({ err: error }, 'redis connection error'));
const clusters = createClusterRegistry(config);
const syncer = createSyncer({
  config: () => config,
  redis,
  events: createEventPublisher({ redis, source: '/tidewater/syncer', onPublished: recordEventMetrics }),
  logger,
  clusters,
  concurrency: env.SYNC_CONCURRENCY,
  applyConcurrency: env.APPLY_CONCURRENCY,
});
logger.info({ clusters: config.clusters.length, applications: config.applications.length }, 'syncer started');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'syncer stopping');
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'syncer did not stop in time; exiting');
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS);
  deadline.unref();
  await syncer.close();
  clusters.close();
  await redis.quit();
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
