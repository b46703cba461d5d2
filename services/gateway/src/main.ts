import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createLogger, startTelemetry } from '@tidewater/telemetry';
import { parseGatewayEnv } from './env.ts';
import { startGateway } from './start-gateway.ts';

const logger = createLogger('gateway');
const env = parseGatewayEnv(process.env);
const telemetry = startTelemetry({ serviceName: 'tidewater-gateway' });

let config: TidewaterConfig = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

const gateway = await startGateway({
  config: () => config,
  redisUrl: env.REDIS_URL,
  port: env.PORT,
  host: env.HOST,
  logger,
  ...(env.TIDEWATER_WEBHOOK_SECRET ? { globalWebhookSecret: env.TIDEWATER_WEBHOOK_SECRET } : {}),
});

// SIGHUP reloads the configuration; a broken reload keeps the previous one.
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
  logger.info({ signal }, 'gateway shutting down');
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS }, 'shutdown deadline passed; exiting');
    process.exit(1);
  }, env.TIDEWATER_SHUTDOWN_TIMEOUT_MS);
  deadline.unref();
  try {
    await gateway.close();
    await telemetry.shutdown();
    process.exit(0);
  } catch (error) {
    logger.error({ reason: (error as Error).message }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
