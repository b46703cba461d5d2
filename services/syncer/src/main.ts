import { loadConfigSource } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createProducers, createRedisConnection, requireBundleSigningKey } from '@tidewater/queues';
import { createLogger, recordEventMetrics, startMetricsServer, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { createClusterRegistry } from './clusters/cluster-registry.ts';
import { SyncerEnv } from './env.ts';
import { createSyncer } from './syncer.ts';
import { createControlWorker } from './control/control-worker.ts';
import { createLsRemoteHeadResolver } from './reconcile/ls-remote-head.ts';

const telemetry = startTelemetry({ serviceName: 'tidewater-syncer' });
// Prometheus metrics at http://HOST:METRICS_PORT/metrics when METRICS_PORT is set.
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1');
const logger = createLogger('syncer');
const env = SyncerEnv.parse(process.env);
// The renderer's key: a bundle in Redis without its signature is refused, never applied.
const bundleSigningKey = requireBundleSigningKey('syncer');
const config = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const redis = createRedisConnection(env.REDIS_URL, 'worker');
redis.on('error', (error) => logger.error({ err: error }, 'redis connection error'));
const clusters = createClusterRegistry(config);
const events = createEventPublisher({ redis, source: '/tidewater/syncer', onPublished: recordEventMetrics });
// Rollback, resume and reconcile ask the renderer for work through the render queue.
const producerConnection = createRedisConnection(env.REDIS_URL, 'producer');
producerConnection.on('error', (error) => logger.warn({ reason: error.message }, 'redis producer connection error'));
const producers = createProducers({ connection: producerConnection });
const syncer = createSyncer({
  config: () => config,
  redis,
  events,
  logger,
  clusters,
  bundleSigningKey,
  concurrency: env.SYNC_CONCURRENCY,
  applyConcurrency: env.APPLY_CONCURRENCY,
  reconcile: {
    producers,
    resolveHead: createLsRemoteHeadResolver(),
    ...(process.env.TIDEWATER_RECONCILE_INTERVAL_MS ? { intervalMs: Number(process.env.TIDEWATER_RECONCILE_INTERVAL_MS) } : {}),
  },
});
const control = createControlWorker({ config: () => config, redis, producers, events, logger, clusters });
logger.info({ clusters: config.clusters.length, applications: config.applications.length }, 'syncer started');

stopOnSignals({
  service: 'syncer', logger, deadlineMs: env.SHUTDOWN_TIMEOUT_MS,
  async stop() {
    await Promise.all([syncer.close(), control.close()]);
    await producers.close();
    clusters.close();
    await producerConnection.quit();
    await redis.quit();
    await telemetry.shutdown();
  },
});
