import { configPollIntervalMsFrom, createLiveConfig, exitOnUnresolvedSecrets, loadConfigSource, resolveSecret, type TidewaterConfig } from '@tidewater/config';
import { subscribeConfigChanges } from '@tidewater/queues';
import { auditSinkFromEnv, auditSinksFromConfig, parseAuditorEnv } from '@tidewater/auditor';
import { webhookIngressFromEnv } from '@tidewater/gateway';
import { parsePromoterEnv, promoterGitCredentialsFromEnv, registryCredentialsFromEnv } from '@tidewater/promoter';
import { parseSlackUsers } from '@tidewater/api';
import { createLogger, exitOnPortClash, onHangup, startMetricsServer, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { startAll } from './start-all.ts';
import { workerConcurrencyFromEnv } from './concurrency-env.ts';
import { serviceTuningFromEnv } from './tuning-env.ts';

async function loadConfig(): Promise<TidewaterConfig> {
  const source = process.env.TIDEWATER_CONFIG;
  if (!source) throw new Error('TIDEWATER_CONFIG is not set: point it at a directory of configuration documents');
  return loadConfigSource(source);
}

/** `tide all`: every service in this process, configured from the environment; stops on SIGTERM/SIGINT, reloads on SIGHUP. */
export async function runAll(): Promise<void> {
  const telemetry = startTelemetry({ serviceName: 'tidewater' });
  const logger = createLogger('tide');
  let config = await loadConfig();
  for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');
  const env = process.env;
  // Every credential the configuration names must be readable now (each service alone checks its own share).
  exitOnUnresolvedSecrets('tide all', config, { repositoryFields: ['webhookSecretRef', 'credentialRef'], clusters: true, kinds: ['NotificationChannel'] });
  // Prometheus metrics of every service at http://METRICS_HOST:METRICS_PORT/metrics, as the workers serve them alone.
  if (env.METRICS_PORT) {
    await startMetricsServer(Number(env.METRICS_PORT), env.METRICS_HOST ?? '127.0.0.1').catch(exitOnPortClash('tide all', { METRICS_PORT: Number(env.METRICS_PORT) }));
  }
  // The promoter's own knobs and credentials, read as the promoter reads them.
  const promoterEnv = parsePromoterEnv(env);
  const promoterGit = promoterGitCredentialsFromEnv(env);
  // The auditor's own knobs, read as the auditor reads them (TIDEWATER_AUDIT_* and AuditSink documents).
  const auditorEnv = parseAuditorEnv(env);
  const fromEnv = auditSinkFromEnv(env);
  const { sinks: configuredSinks, problems } = auditSinksFromConfig(config.otherDocuments);
  for (const problem of problems) logger.error({ problem }, 'audit sink skipped');
  const ports = { PORT: Number(env.PORT ?? 8080), AUDIT_PORT: Number(env.AUDIT_PORT ?? 8081), API_PORT: Number(env.API_PORT ?? 8083) };
  const running = await startAll({
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    config: () => config,
    port: ports.PORT,
    host: env.HOST ?? '127.0.0.1',
    ...(env.TIDEWATER_CACHE_DIR ? { cacheDir: env.TIDEWATER_CACHE_DIR } : {}),
    tools: { helm: env.TIDEWATER_HELM ?? 'helm', kustomize: env.TIDEWATER_KUSTOMIZE ?? 'kustomize' },
    ...(env.TIDEWATER_WEBHOOK_SECRET ? { globalWebhookSecret: env.TIDEWATER_WEBHOOK_SECRET } : {}),
    webhookIngress: webhookIngressFromEnv(env),
    // The same concurrency knobs as the renderer and syncer running alone.
    ...workerConcurrencyFromEnv(env),
    // The same recovery knobs as the renderer and notifier running alone.
    tuning: serviceTuningFromEnv(env),
    ...(env.TIDEWATER_RECONCILE_INTERVAL_MS ? { reconcileIntervalMs: Number(env.TIDEWATER_RECONCILE_INTERVAL_MS) } : {}),
    ...(env.TIDEWATER_AUDIT_DIR ? { auditDir: env.TIDEWATER_AUDIT_DIR } : {}),
    auditPort: ports.AUDIT_PORT,
    auditor: {
      consumer: auditorEnv.TIDEWATER_AUDIT_CONSUMER,
      batchSize: auditorEnv.TIDEWATER_AUDIT_BATCH_SIZE,
      verifyOnStart: auditorEnv.TIDEWATER_AUDIT_VERIFY_ON_START,
      sinks: [...(fromEnv ? [fromEnv] : []), ...configuredSinks],
    },
    apiPort: ports.API_PORT,
    configSource: env.TIDEWATER_CONFIG!,
    ...(env.AUDITOR_URL ? { auditorUrl: env.AUDITOR_URL } : {}),
    ...(env.TIDEWATER_STATE_DIR ? { stateDir: env.TIDEWATER_STATE_DIR } : {}),
    promoter: {
      ...(promoterEnv.TIDEWATER_PROMOTER_CACHE_DIR ? { cacheDir: promoterEnv.TIDEWATER_PROMOTER_CACHE_DIR } : {}),
      concurrency: promoterEnv.TIDEWATER_PROMOTER_CONCURRENCY,
      pollIntervalMs: promoterEnv.TIDEWATER_IMAGE_POLL_INTERVAL_MS,
      registry: {
        credentials: registryCredentialsFromEnv(env),
        requestBudgetPerMinute: promoterEnv.TIDEWATER_REGISTRY_REQUEST_BUDGET_PER_MINUTE,
        ...(promoterEnv.TIDEWATER_INSECURE_REGISTRIES ? { insecureHosts: promoterEnv.TIDEWATER_INSECURE_REGISTRIES.split(',').map((host) => host.trim()) } : {}),
      },
      ...(promoterGit ? { git: { credentials: promoterGit } } : {}),
    },
    ...(env.TIDEWATER_ADMIN_PASSWORD_FILE ? { adminPassword: resolveSecret({ file: env.TIDEWATER_ADMIN_PASSWORD_FILE }) } : {}),
    ...(env.TIDEWATER_API_SIGNING_KEY_FILE ? { apiSigningKey: resolveSecret({ file: env.TIDEWATER_API_SIGNING_KEY_FILE }) } : {}),
    ...(process.env.TIDEWATER_SECRET_SLACK_SIGNING_SECRET
      ? { apiSlack: { signingSecret: resolveSecret({ env: 'TIDEWATER_SECRET_SLACK_SIGNING_SECRET' }), users: parseSlackUsers(process.env.TIDEWATER_SLACK_USERS) } }
      : {}),
    logger,
  }).catch(exitOnPortClash('tide all', ports));
  logger.info({ gateway: running.gatewayUrl, api: running.apiUrl, ui: `${running.apiUrl}/`, applications: config.applications.length }, 'tidewater running');
  if (running.adminPasswordFile) logger.info({ passwordFile: running.adminPasswordFile }, 'admin password generated; read it once from this file, then change it');
  // Live configuration: SIGHUP, a push to the git:: config repository (through the gateway), or a poll of it.
  const live = createLiveConfig({
    source: env.TIDEWATER_CONFIG!, initial: config, logger, pollIntervalMs: configPollIntervalMsFrom(env), apply: (next) => { config = next; },
  });
  const configChanges = subscribeConfigChanges(env.REDIS_URL ?? 'redis://127.0.0.1:6379', () => void live.reload('webhook'));
  onHangup(() => void live.reload('signal'));
  stopOnSignals({
    service: 'tide', logger, deadlineMs: 30_000,
    async stop() {
      live.close();
      await configChanges.close();
      await running.close();
      await telemetry.shutdown();
    },
  });
}
