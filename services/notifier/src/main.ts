import { configPollIntervalMsFrom, createLiveConfig, exitOnUnresolvedSecrets, loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createRedisConnection, subscribeConfigChanges } from '@tidewater/queues';
import { createLogger, recordEventMetrics, onHangup, startMetricsServer, startTelemetry, exitOnPortClash, stopOnSignals } from '@tidewater/telemetry';
import { deliveryOptionsFrom, parseNotifierEnv } from './env.ts';
import { createNotifier } from './notifier.ts';

const logger = createLogger('notifier');
const env = parseNotifierEnv(process.env);
const telemetry = startTelemetry({ serviceName: 'tidewater-notifier' });
// Prometheus metrics at http://HOST:METRICS_PORT/metrics when METRICS_PORT is set.
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1')
  .catch(exitOnPortClash('notifier', { METRICS_PORT: Number(process.env.METRICS_PORT) }));

let config: TidewaterConfig = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');
// Slack URLs, bot tokens and webhook signing secrets must be readable now, not at the first notification.
exitOnUnresolvedSecrets('notifier', config, { kinds: ['NotificationChannel'] });

const redis = createRedisConnection(env.REDIS_URL, 'worker');
redis.on('error', (error) => logger.error({ reason: error.message }, 'redis connection error'));
const notifier = createNotifier({
  config: () => config,
  redis,
  logger,
  events: createEventPublisher({ redis, source: '/tidewater/notifier', onPublished: recordEventMetrics }),
  delivery: deliveryOptionsFrom(env),
});
notifier.start();
logger.info('notifier started');

// Live configuration: SIGHUP, a push to the git:: config repository (relayed by the gateway), or a poll of it.
const live = createLiveConfig({
  source: env.TIDEWATER_CONFIG, initial: config, logger, pollIntervalMs: configPollIntervalMsFrom(), apply: (next) => { config = next; },
});
const configChanges = subscribeConfigChanges(env.REDIS_URL, () => void live.reload('webhook'));
onHangup(() => void live.reload('signal'));
stopOnSignals({
  service: 'notifier', logger, deadlineMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS,
  async stop() {
    live.close();
    await configChanges.close();
    await notifier.stop();
    await redis.quit();
    await telemetry.shutdown();
  },
});
