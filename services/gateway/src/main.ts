import { configPollIntervalMsFrom, createLiveConfig, loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { subscribeConfigChanges } from '@tidewater/queues';
import { createLogger, onHangup, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
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
  configSource: env.TIDEWATER_CONFIG,
  ...(env.TIDEWATER_WEBHOOK_SECRET ? { globalWebhookSecret: env.TIDEWATER_WEBHOOK_SECRET } : {}),
  ...webhookIngressFromEnv(process.env),
});

// Live configuration: SIGHUP, a push to the git:: config repository (relayed by the gateway), or a poll of it.
const live = createLiveConfig({
  source: env.TIDEWATER_CONFIG, initial: config, logger, pollIntervalMs: configPollIntervalMsFrom(), apply: (next) => { config = next; },
});
const configChanges = subscribeConfigChanges(env.REDIS_URL, () => void live.reload('webhook'));
onHangup(() => void live.reload('signal'));
stopOnSignals({
  service: 'gateway', logger, deadlineMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS,
  async stop() {
    live.close();
    await configChanges.close();
    await gateway.close();
    await telemetry.shutdown();
  },
});
