import { once } from 'node:events';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createPublishedConfigView, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { bundleSigningKeyFromEnv, createProducers, createRedisConnection, loadOrCreateBundleKeyFile, queueNames, readGeneratedApplicationSets, readRememberedApplicationSets, writeRememberedApplicationSet, type BundleSigningKey } from '@tidewater/queues';
import { Queue } from 'bullmq';
import { addQueueDepthSource, createLogger, observeWorker, recordEventMetrics, serviceLogger, type Logger } from '@tidewater/telemetry';
import { startGateway, type StartGatewayOptions } from '@tidewater/gateway';
import { createRenderer, startGitAppSets } from '@tidewater/renderer';
import { createClusterRegistry, createControlWorker, createRendererHeadResolver, createSyncer } from '@tidewater/syncer';
import { createNotifier } from '@tidewater/notifier';
import { defaultAuditDir, startAuditor, type StartAuditorOptions } from '@tidewater/auditor';
import { bootstrapAdmin, createApi, type SlackInteractionSettings } from '@tidewater/api';
import { createPromoter, type PromoterDeps } from '@tidewater/promoter';
import type { ServiceTuning } from './tuning-env.ts';

export interface StartAllOptions {
  /** Renderer and notifier recovery knobs (TIDEWATER_RENDER_LOCK_MS, TIDEWATER_NOTIFY_MAX_AGE_MS, ...; see tuning-env.ts). */
  tuning?: ServiceTuning;
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
  /** The auditor's consumer, batch size, start-up verification and forwarding sinks (its defaults when absent). */
  auditor?: Pick<StartAuditorOptions, 'consumer' | 'batchSize' | 'verifyOnStart' | 'sinks'>;
  logger?: Logger;
  renderConcurrency?: number;
  syncConcurrency?: number;
  /** Objects applied in parallel within one sync (the syncer's APPLY_CONCURRENCY; its default when absent). */
  applyConcurrency?: number;
  /**
   * The key renderer and syncer share for bundle signatures; default TIDEWATER_BUNDLE_KEY(_FILE), else a random key
   * made once and kept in `<cacheDir>/bundle-signing.key` (owner-only).
   */
  bundleSigningKey?: BundleSigningKey;
  /** Periodic check of each app's branch head, the safety net for missed webhooks (default 3 min + jitter). */
  reconcileIntervalMs?: number;
  /** `TIDEWATER_CONFIG`: the gateway announces a push to a `git::` source's repository as a configuration change. */
  configSource?: string;
  /** The operator API's port (0 = a free one, the default; `tide all` uses API_PORT, default 8083); `false` runs no API. */
  apiPort?: number | false;
  /** The admin's first password (from a secret); without it one is generated into `stateDir` (see bootstrapAdmin). */
  adminPassword?: string;
  /** HMAC key for the API's session and project tokens; default: generated and kept in Redis. */
  apiSigningKey?: string;
  /** Slack's interactive Approve / Reject on the API (signing secret + Slack user → account). */
  apiSlack?: SlackInteractionSettings;
  stateDir?: string;
  /** The auditor the API queries for /api/v1/audit/* (AUDITOR_URL); default the auditor started here. */
  auditorUrl?: string;
  /** The promoter (image write-back): its clone cache, registry and Git write options (default cache beside the renderer's). */
  promoter?: Partial<Pick<PromoterDeps, 'cacheDir' | 'registry' | 'git' | 'concurrency' | 'pollIntervalMs'>>;
}

export interface RunningTidewater {
  gatewayUrl: string;
  /** The auditor's HTTP API (`/audit/events`, `/audit/verify`, `/audit/export`, `/audit/dora`). */
  auditorUrl: string;
  /** The operator API (`/api/v1/…`, `/api/docs`), or '' when it was not started. */
  apiUrl: string;
  /** Set on the first start when the admin password was generated: the file it was written to (0600). */
  adminPasswordFile?: string;
  /** The configuration every service reads (generated Applications merged in). */
  config?: () => TidewaterConfig;
  close(): Promise<void>;
}

/**
 * Every service in one process against one Redis (`tide all`, the embedded default). Each service keeps its own
 * connections and credentials exactly as when it runs alone.
 */
export async function startAll(startOptions: StartAllOptions): Promise<RunningTidewater> {
  const logger = startOptions.logger ?? createLogger('tide');
  const cacheDir = startOptions.cacheDir ?? join(homedir(), '.cache', 'tidewater', 'renderer');
  let bundleSigningKey = startOptions.bundleSigningKey ?? bundleSigningKeyFromEnv();
  if (!bundleSigningKey) {
    // Renderer and syncer share this process; the key is kept beside the renderer cache so a restart still
    // verifies the bundles and applied copies signed before it.
    const keyFile = join(cacheDir, 'bundle-signing.key');
    bundleSigningKey = loadOrCreateBundleKeyFile(keyFile);
    logger.info({ keyFile }, 'TIDEWATER_BUNDLE_KEY is not set: renderer and syncer sign bundles with the key kept in the cache directory');
  }
  const producerConnection = createRedisConnection(startOptions.redisUrl, 'producer');
  producerConnection.on('error', (error) => logger.warn({ reason: error.message }, 'redis producer connection error'));
  if (producerConnection.status !== 'ready') await once(producerConnection, 'ready');
  // Applications generated by git ApplicationSets (evaluated by the renderer, published in Redis) join the view.
  const configView = createPublishedConfigView({
    base: startOptions.config,
    read: async (names) => (await readGeneratedApplicationSets(producerConnection, names)).sets,
    // Load-time ApplicationSets' create-only / create-update memory outlives a restart.
    memory: {
      read: () => readRememberedApplicationSets(producerConnection),
      write: (name, applications) => writeRememberedApplicationSet(producerConnection, name, applications),
    },
  });
  await configView.refresh();
  const options: StartAllOptions = { ...startOptions, config: configView.current };
  const rendererConnection = createRedisConnection(options.redisUrl, 'worker');
  const syncerConnection = createRedisConnection(options.redisUrl, 'worker');

  const producers = createProducers({ connection: producerConnection });
  const renderer = createRenderer({
    config: options.config,
    redis: rendererConnection,
    producers,
    bundleSigningKey,
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/renderer', onPublished: recordEventMetrics }),
    logger: serviceLogger(logger, 'renderer'),
    cacheDir,
    concurrency: options.renderConcurrency ?? 2,
    ...options.tuning?.renderer,
    ...(options.tools ? { tools: options.tools } : {}),
  });
  const gitAppSets = startGitAppSets({
    config: options.config, redisUrl: options.redisUrl, redis: producerConnection, producers,
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/renderer', onPublished: recordEventMetrics }),
    logger: serviceLogger(logger, 'renderer'),
    cacheDir, configView,
  });
  const clusters = createClusterRegistry(options.config);
  // The syncer asks the renderer for branch heads (the renderer alone holds Git credentials).
  const heads = createRendererHeadResolver({ connection: producerConnection });
  const syncer = createSyncer({
    config: options.config,
    redis: syncerConnection,
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/syncer', onPublished: recordEventMetrics }),
    logger: serviceLogger(logger, 'syncer'),
    clusters,
    bundleSigningKey,
    concurrency: options.syncConcurrency ?? 4,
    ...(options.applyConcurrency ? { applyConcurrency: options.applyConcurrency } : {}),
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
    logger: serviceLogger(logger, 'syncer'),
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
    logger: serviceLogger(logger, 'notifier'),
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/notifier', onPublished: recordEventMetrics }),
    ...(options.tuning?.notifierDelivery ? { delivery: options.tuning.notifierDelivery } : {}),
  });
  notifier.start();
  const promoterConnection = createRedisConnection(options.redisUrl, 'worker');
  const promoter = createPromoter({
    config: options.config, redis: promoterConnection, logger: serviceLogger(logger, 'promoter'),
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/promoter', onPublished: recordEventMetrics }),
    cacheDir: join(homedir(), '.cache', 'tidewater', 'promoter'), ...options.promoter,
  });
  observeWorker(queueNames.image, promoter.worker);
  const auditor = await startAuditor({
    redisUrl: options.redisUrl,
    dir: options.auditDir ?? defaultAuditDir(),
    logger: serviceLogger(logger, 'auditor'),
    port: options.auditPort ?? 8081,
    host: options.host ?? '127.0.0.1',
    ...options.auditor,
  });
  const gateway = await startGateway({
    config: options.config,
    redisUrl: options.redisUrl,
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    logger: serviceLogger(logger, 'gateway'),
    ...(options.configSource ? { configSource: options.configSource } : {}),
    ...(options.globalWebhookSecret ? { globalWebhookSecret: options.globalWebhookSecret } : {}),
    ...options.webhookIngress,
  });

  // The operator API: asks the syncer through the control queue like the CLI of an operator would; no credentials.
  let api: { url: string; close(): Promise<void> } | undefined;
  let adminPasswordFile: string | undefined;
  if (options.apiPort !== false) {
    const admin = await bootstrapAdmin(producerConnection, {
      ...(options.adminPassword ? { password: options.adminPassword } : {}), ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    });
    adminPasswordFile = admin.passwordFile;
    const apiApp = await createApi({
      config: options.config,
      redis: producerConnection,
      redisUrl: options.redisUrl,
      events: createEventPublisher({ redis: producerConnection, source: '/tidewater/api', onPublished: recordEventMetrics }),
      logger: serviceLogger(logger, 'api'),
      ...(options.auditorUrl ?? auditor.url ? { auditorUrl: options.auditorUrl ?? auditor.url } : {}),
      ...(options.apiSigningKey ? { signingKey: options.apiSigningKey } : {}),
      ...(options.apiSlack ? { slack: options.apiSlack } : {}),
    });
    const host = options.host ?? '127.0.0.1';
    await apiApp.listen({ port: options.apiPort ?? 0, host });
    const address = apiApp.server.address();
    api = { url: `http://${host}:${typeof address === 'object' && address ? address.port : options.apiPort}`, close: () => apiApp.close() };
  }

  let closing: Promise<void> | undefined;
  return {
    gatewayUrl: gateway.url,
    auditorUrl: auditor.url ?? '',
    apiUrl: api?.url ?? '',
    ...(adminPasswordFile ? { adminPasswordFile } : {}),
    config: configView.current,
    close() {
      closing ??= (async () => {
        await api?.close();
        await gateway.close();
        await gitAppSets.stop();
        await Promise.all([renderer.close(), syncer.close(), control.close(), notifier.stop(), auditor.close(), promoter.close()]);
        clusters.close();
        await producers.close();
        await heads.close();
        await Promise.all(depthQueues.map((queue) => queue.close()));
        await Promise.all([rendererConnection.quit(), syncerConnection.quit(), notifierConnection.quit(), promoterConnection.quit(), producerConnection.quit()].map((p) => p.catch(() => undefined)));
      })();
      return closing;
    },
  };
}
