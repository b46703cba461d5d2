import { Redis } from 'ioredis';
import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createLogger, recordEventMetrics, startMetricsServer, startTelemetry } from '@tidewater/telemetry';
import { parseNotifierEnv } from './env.ts';
import { createNotifier } from './notifier.ts';

const logger = createLogger('notifier');
const env = parseNotifierEnv(process.env);
const telemetry = startTelemetry({ serviceName: 'tidewater-notifier' });
// Prometheus metrics at http://HOST:METRICS_PORT/metrics when METRICS_PORT is set.
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1');

let config: TidewaterConfig = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
redis.on('error', (error) => logger.error({ reason: error.message }, 'redis connection error'));
const notifier = createNotifier({
  config: () => config,
  redis,
  logger,
  events: createEventPublisher({ redis, source: '/tidewater/notifier', onPublished: recordEventMetrics }),
});
notifier.start();
logger.info('notifier started');

// SIGHUP reloads the configuration (channels, subscriptions, annotations); a broken reload keeps the previous one.
process.on('SIGHUP', () => {
  loadConfigSource(env.TIDEWATER_CONFIG).then((reloaded) => {
    config = reloaded;
    logger.info({ applications: reloaded.applications.length }, 'configuration reloaded');
  }, (error: unknown) => logger.error({ reason: (error as Error).message }, 'configuration reload failed; keeping the previous one'));
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'notifier shutting down');
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS }, 'shutdown deadline passed; exiting');
    process.exit(1);
  }, env.TIDEWATER_SHUTDOWN_TIMEOUT_MS);
  deadline.unref();
  try {
    await notifier.stop();
    await redis.quit();
    await telemetry.shutdown();
    process.exit(0);
  } catch (error) {
    logger.error({ reason: (error as Error).message }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
