import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createRedisConnection } from '@tidewater/queues';
import { createLogger, recordEventMetrics, reloadOnHangup, startMetricsServer, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { parseNotifierEnv } from './env.ts';
import { createNotifier } from './notifier.ts';

const logger = createLogger('notifier');
const env = parseNotifierEnv(process.env);
const telemetry = startTelemetry({ serviceName: 'tidewater-notifier' });
// Prometheus metrics at http://HOST:METRICS_PORT/metrics when METRICS_PORT is set.
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1');

let config: TidewaterConfig = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const redis = createRedisConnection(env.REDIS_URL, 'worker');
redis.on('error', (error) => logger.error({ reason: error.message }, 'redis connection error'));
const notifier = createNotifier({
  config: () => config,
  redis,
  logger,
  events: createEventPublisher({ redis, source: '/tidewater/notifier', onPublished: recordEventMetrics }),
});
notifier.start();
logger.info('notifier started');

// SIGHUP reloads the configuration (channels, subscriptions, annotations).
reloadOnHangup({ logger, load: () => loadConfigSource(env.TIDEWATER_CONFIG), apply: (reloaded) => { config = reloaded; } });
stopOnSignals({
  service: 'notifier', logger, deadlineMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS,
  async stop() {
    await notifier.stop();
    await redis.quit();
    await telemetry.shutdown();
  },
});
