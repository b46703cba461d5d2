import { loadConfigSource, resolveSecret, type TidewaterConfig } from '@tidewater/config';
import { webhookIngressFromEnv } from '@tidewater/gateway';
import { createLogger, reloadOnHangup, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { startAll } from './start-all.ts';
import { workerConcurrencyFromEnv } from './concurrency-env.ts';

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
  const running = await startAll({
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    config: () => config,
    port: Number(env.PORT ?? 8080),
    host: env.HOST ?? '127.0.0.1',
    ...(env.TIDEWATER_CACHE_DIR ? { cacheDir: env.TIDEWATER_CACHE_DIR } : {}),
    tools: { helm: env.TIDEWATER_HELM ?? 'helm', kustomize: env.TIDEWATER_KUSTOMIZE ?? 'kustomize' },
    ...(env.TIDEWATER_WEBHOOK_SECRET ? { globalWebhookSecret: env.TIDEWATER_WEBHOOK_SECRET } : {}),
    webhookIngress: webhookIngressFromEnv(env),
    ...workerConcurrencyFromEnv(env),
    ...(env.TIDEWATER_RECONCILE_INTERVAL_MS ? { reconcileIntervalMs: Number(env.TIDEWATER_RECONCILE_INTERVAL_MS) } : {}),
    ...(env.TIDEWATER_AUDIT_DIR ? { auditDir: env.TIDEWATER_AUDIT_DIR } : {}),
    ...(env.AUDIT_PORT ? { auditPort: Number(env.AUDIT_PORT) } : {}),
    apiPort: Number(env.API_PORT ?? 8083),
    ...(env.TIDEWATER_ADMIN_PASSWORD_FILE ? { adminPassword: resolveSecret({ file: env.TIDEWATER_ADMIN_PASSWORD_FILE }) } : {}),
    ...(env.TIDEWATER_API_SIGNING_KEY_FILE ? { apiSigningKey: resolveSecret({ file: env.TIDEWATER_API_SIGNING_KEY_FILE }) } : {}),
    logger,
  });
  logger.info({ gateway: running.gatewayUrl, api: running.apiUrl, applications: config.applications.length }, 'tidewater running');
  if (running.adminPasswordFile) logger.info({ passwordFile: running.adminPasswordFile }, 'admin password generated; read it once from this file, then change it');
  reloadOnHangup({ logger, load: loadConfig, apply: (next) => { config = next; } });
  stopOnSignals({
    service: 'tide', logger, deadlineMs: 30_000,
    async stop() {
      await running.close();
      await telemetry.shutdown();
    },
  });
}
