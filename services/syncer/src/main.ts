import { configPollIntervalMsFrom, createLiveConfig, loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createProducers, createRedisConnection, requireBundleSigningKey, subscribeConfigChanges } from '@tidewater/queues';
import { createLogger, onHangup, recordEventMetrics, startMetricsServer, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { createClusterRegistry } from './clusters/cluster-registry.ts';
import { SyncerEnv } from './env.ts';
import { createSyncer } from './syncer.ts';
import { createControlWorker } from './control/control-worker.ts';
import { createRendererHeadResolver } from './reconcile/renderer-heads.ts';

const telemetry = startTelemetry({ serviceName: 'tidewater-syncer' });
// Prometheus metrics at http://HOST:METRICS_PORT/metrics when METRICS_PORT is set.
if (process.env.METRICS_PORT) await startMetricsServer(Number(process.env.METRICS_PORT), process.env.METRICS_HOST ?? '127.0.0.1');
const logger = createLogger('syncer');
const env = SyncerEnv.parse(process.env);
// The renderer's key: a bundle in Redis without its signature is refused, never applied.
const bundleSigningKey = requireBundleSigningKey('syncer');
let config: TidewaterConfig = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const redis = createRedisConnection(env.REDIS_URL, 'worker');
redis.on('error', (error) => logger.error({ err: error }, 'redis connection error'));
// Read per job and per cluster: a reload (SIGHUP, a change of the git:: source) takes effect at once.
const currentConfig = () => config;
const clusters = createClusterRegistry(currentConfig);
const events = createEventPublisher({ redis, source: '/tidewater/syncer', onPublished: recordEventMetrics });
// Rollback, resume and reconcile ask the renderer for work through the render queue, and for branch heads.
const producerConnection = createRedisConnection(env.REDIS_URL, 'producer');
producerConnection.on('error', (error) => logger.warn({ reason: error.message }, 'redis producer connection error'));
const producers = createProducers({ connection: producerConnection });
const heads = createRendererHeadResolver({ connection: redis });
const syncer = createSyncer({
  config: currentConfig,
  redis,
  events,
  logger,
  clusters,
  bundleSigningKey,
  concurrency: env.SYNC_CONCURRENCY,
  applyConcurrency: env.APPLY_CONCURRENCY,
  reconcile: {
    producers,
    resolveHead: heads,
    ...(process.env.TIDEWATER_RECONCILE_INTERVAL_MS ? { intervalMs: Number(process.env.TIDEWATER_RECONCILE_INTERVAL_MS) } : {}),
  },
});
const control = createControlWorker({ config: currentConfig, redis, producers, events, logger, clusters, resolveRevision: heads.resolve });
logger.info({ clusters: config.clusters.length, applications: config.applications.length }, 'syncer started');

// Live configuration: SIGHUP, a push to the git:: config repository (relayed by the gateway), or a poll of it.
const live = createLiveConfig({
  source: env.TIDEWATER_CONFIG, initial: config, logger, pollIntervalMs: configPollIntervalMsFrom(), apply: (next) => { config = next; },
});
const configChanges = subscribeConfigChanges(env.REDIS_URL, () => void live.reload('webhook'));
onHangup(() => void live.reload('signal'));
stopOnSignals({
  service: 'syncer', logger, deadlineMs: env.SHUTDOWN_TIMEOUT_MS,
  async stop() {
    live.close();
    await configChanges.close();
    await Promise.all([syncer.close(), control.close()]);
    await heads.close();
    await producers.close();
    clusters.close();
    await producerConnection.quit();
    await redis.quit();
    await telemetry.shutdown();
  },
});
