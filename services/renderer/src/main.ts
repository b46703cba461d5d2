import { once } from 'node:events';
import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createProducers, createRedisConnection, requireBundleSigningKey } from '@tidewater/queues';
import { createLogger, recordEventMetrics, reloadOnHangup, startMetricsServer, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { parseRendererEnv } from './env.ts';
import { createRenderer } from './renderer.ts';

const shutdownDeadlineMs = 30_000;

const env = parseRendererEnv();
// Every bundle written is signed with it; the syncer applies only bundles that carry this signature.
const bundleSigningKey = requireBundleSigningKey('renderer');
const telemetry = startTelemetry({ serviceName: 'tidewater-renderer' });
// Prometheus metrics at http://HOST:METRICS_PORT/metrics when METRICS_PORT is set.
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1');
const logger = createLogger('renderer');

let config: TidewaterConfig = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const workerConnection = createRedisConnection(env.REDIS_URL, 'worker');
const producerConnection = createRedisConnection(env.REDIS_URL, 'producer');
producerConnection.on('error', (error) => logger.warn({ reason: error.message }, 'redis producer connection error'));
// The producer connection does not queue commands while offline, so wait until it can take them.
if (producerConnection.status !== 'ready') await once(producerConnection, 'ready');

const producers = createProducers({ connection: producerConnection });
const events = createEventPublisher({ redis: producerConnection, source: '/tidewater/renderer', onPublished: recordEventMetrics });
const renderer = createRenderer({
  config: () => config,
  redis: workerConnection,
  producers,
  bundleSigningKey,
  events,
  logger,
  cacheDir: env.TIDEWATER_CACHE_DIR,
  concurrency: env.TIDEWATER_RENDER_CONCURRENCY,
  tools: { helm: env.TIDEWATER_HELM, kustomize: env.TIDEWATER_KUSTOMIZE },
});
logger.info({ applications: config.applications.length, cacheDir: env.TIDEWATER_CACHE_DIR }, 'renderer started');

reloadOnHangup({ logger, load: () => loadConfigSource(env.TIDEWATER_CONFIG), apply: (next) => { config = next; } });
stopOnSignals({
  service: 'renderer', logger, deadlineMs: shutdownDeadlineMs,
  async stop() {
    await renderer.close();
    await producers.close();
    await Promise.all([workerConnection.quit(), producerConnection.quit()]);
    await telemetry.shutdown();
  },
});
