import { loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { createLogger, exitOnPortClash, reloadOnHangup, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { parseGatewayEnv, webhookIngressFromEnv } from './env.ts';
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
  ...webhookIngressFromEnv(process.env),
}).catch(exitOnPortClash('gateway', { PORT: env.PORT }));

reloadOnHangup({ logger, load: () => loadConfigSource(env.TIDEWATER_CONFIG), apply: (reloaded) => { config = reloaded; } });
stopOnSignals({
  service: 'gateway', logger, deadlineMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS,
  async stop() {
    await gateway.close();
    await telemetry.shutdown();
  },
});
