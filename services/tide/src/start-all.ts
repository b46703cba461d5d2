import { once } from 'node:events';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createProducers, createRedisConnection, queueNames } from '@tidewater/queues';
import { Queue } from 'bullmq';
import { addQueueDepthSource, createLogger, observeWorker, recordEventMetrics, type Logger } from '@tidewater/telemetry';
import { startGateway, type StartGatewayOptions } from '@tidewater/gateway';
import { createRenderer } from '@tidewater/renderer';
import { createClusterRegistry, createControlWorker, createRendererHeadResolver, createSyncer } from '@tidewater/syncer';
import { createNotifier } from '@tidewater/notifier';
import { defaultAuditDir, startAuditor } from '@tidewater/auditor';

export interface StartAllOptions {
  redisUrl: string;
  /** Current configuration; called per request/job, so a reload takes effect at once. */
  config: () => TidewaterConfig;
  /** Gateway port (0 = a free one) and host. */
  port?: number;
  host?: string;
  /** Renderer mirrors and work dirs. */
  cacheDir?: string;
  tools?: { helm: string; kustomize: string };
  globalWebhookSecret?: string;
  /** The gateway's per-source rate limit and trusted proxies (`webhookIngressFromEnv`); its defaults when absent. */
  webhookIngress?: Pick<StartGatewayOptions, 'rateLimit' | 'trustProxy'>;
  /** The audit log's directory (default ~/.local/share/tidewater/audit) and its HTTP API port (0 = a free one). */
  auditDir?: string;
  auditPort?: number;
  logger?: Logger;
  renderConcurrency?: number;
  syncConcurrency?: number;
  /** Periodic check of each app's branch head, the safety net for missed webhooks (default 3 min + jitter). */
  reconcileIntervalMs?: number;
  /** `TIDEWATER_CONFIG`: the gateway announces a push to a `git::` source's repository as a configuration change. */
  configSource?: string;
}

export interface RunningTidewater {
  gatewayUrl: string;
  /** The auditor's HTTP API (`/audit/events`, `/audit/verify`, `/audit/export`, `/audit/dora`). */
  auditorUrl: string;
  close(): Promise<void>;
}

/**
 * Every service in one process against one Redis (`tide all`, the embedded default). Each service keeps its own
 * connections and credentials exactly as when it runs alone.
 */
export async function startAll(options: StartAllOptions): Promise<RunningTidewater> {
  const logger = options.logger ?? createLogger('tide');
  const producerConnection = createRedisConnection(options.redisUrl, 'producer');
  producerConnection.on('error', (error) => logger.warn({ reason: error.message }, 'redis producer connection error'));
  if (producerConnection.status !== 'ready') await once(producerConnection, 'ready');
  const rendererConnection = createRedisConnection(options.redisUrl, 'worker');
  const syncerConnection = createRedisConnection(options.redisUrl, 'worker');

  const producers = createProducers({ connection: producerConnection });
  const renderer = createRenderer({
    config: options.config,
    redis: rendererConnection,
    producers,
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/renderer', onPublished: recordEventMetrics }),
    logger: logger.child({ service: 'renderer' }),
    cacheDir: options.cacheDir ?? join(homedir(), '.cache', 'tidewater', 'renderer'),
    concurrency: options.renderConcurrency ?? 2,
    ...(options.tools ? { tools: options.tools } : {}),
  });
  const clusters = createClusterRegistry(options.config);
  // The syncer asks the renderer for branch heads (the renderer alone holds Git credentials).
  const heads = createRendererHeadResolver({ connection: producerConnection });
  const syncer = createSyncer({
    config: options.config,
    redis: syncerConnection,
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/syncer', onPublished: recordEventMetrics }),
    logger: logger.child({ service: 'syncer' }),
    clusters,
    concurrency: options.syncConcurrency ?? 4,
    reconcile: {
      producers,
      resolveHead: heads,
      ...(options.reconcileIntervalMs ? { intervalMs: options.reconcileIntervalMs, jitterMs: Math.round(options.reconcileIntervalMs / 3) } : {}),
    },
  });
  // Operator requests (diff, rollback, resume) answered by the syncer; it asks the renderer through the render queue.
  const control = createControlWorker({
    config: options.config,
    redis: syncerConnection,
    producers,
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/syncer', onPublished: recordEventMetrics }),
    logger: logger.child({ service: 'syncer' }),
    clusters,
    resolveRevision: heads.resolve,
  });
  observeWorker(queueNames.control, control.worker);
  observeWorker(queueNames.render, renderer.worker);
  observeWorker(queueNames.sync, syncer.worker);
  const depthQueues = [queueNames.render, queueNames.sync].map((name) => new Queue(name, { connection: producerConnection }));
  addQueueDepthSource(async () => Object.fromEntries(await Promise.all(depthQueues.map(async (queue) =>
    [queue.name, await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')] as const))));
  const notifierConnection = createRedisConnection(options.redisUrl, 'worker');
  const notifier = createNotifier({
    config: options.config,
    redis: notifierConnection,
    logger: logger.child({ service: 'notifier' }),
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/notifier', onPublished: recordEventMetrics }),
  });
  notifier.start();
  const auditor = await startAuditor({
    redisUrl: options.redisUrl,
    dir: options.auditDir ?? defaultAuditDir(),
    logger: logger.child({ service: 'auditor' }),
    port: options.auditPort ?? 8081,
    host: options.host ?? '127.0.0.1',
  });
  const gateway = await startGateway({
    config: options.config,
    redisUrl: options.redisUrl,
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    logger: logger.child({ service: 'gateway' }),
    ...(options.configSource ? { configSource: options.configSource } : {}),
    ...(options.globalWebhookSecret ? { globalWebhookSecret: options.globalWebhookSecret } : {}),
    ...options.webhookIngress,
  });

  let closing: Promise<void> | undefined;
  return {
    gatewayUrl: gateway.url,
    auditorUrl: auditor.url ?? '',
    close() {
      closing ??= (async () => {
        await gateway.close();
        await Promise.all([renderer.close(), syncer.close(), control.close(), notifier.stop(), auditor.close()]);
        clusters.close();
        await producers.close();
        await heads.close();
        await Promise.all(depthQueues.map((queue) => queue.close()));
        await Promise.all([rendererConnection.quit(), syncerConnection.quit(), notifierConnection.quit(), producerConnection.quit()].map((p) => p.catch(() => undefined)));
      })();
      return closing;
    },
  };
}
