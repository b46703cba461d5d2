import { once } from 'node:events';
import { loadConfigSource, resolveSecret } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createRedisConnection } from '@tidewater/queues';
import { createLogger, exitOnPortClash, recordEventMetrics, reloadOnHangup, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { bootstrapAdmin } from './auth/initial-admin.ts';
import { createApi } from './create-api.ts';
import { ApiEnv } from './env.ts';
import { parseSlackUsers } from './routes/slack-interactions.ts';

const telemetry = startTelemetry({ serviceName: 'tidewater-api' });
const logger = createLogger('api');
const env = ApiEnv.parse(process.env);
/** A secret file named by `variable`, read at start-up; unreadable, the API exits at once naming the variable. */
function secretFileOf(variable: 'TIDEWATER_ADMIN_PASSWORD_FILE' | 'TIDEWATER_API_SIGNING_KEY_FILE'): string | undefined {
  const file = env[variable];
  if (!file) return undefined;
  try {
    return resolveSecret({ file });
  } catch (error) {
    process.stderr.write(`api: cannot start: ${variable}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
const adminPassword = secretFileOf('TIDEWATER_ADMIN_PASSWORD_FILE');
const signingKey = secretFileOf('TIDEWATER_API_SIGNING_KEY_FILE');
let config = await loadConfigSource(env.TIDEWATER_CONFIG);
for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');

// Auto-pipelining: the reads of concurrent requests share round trips.
const redis = createRedisConnection(env.REDIS_URL, 'producer', { enableAutoPipelining: true });
redis.on('error', (error) => logger.warn({ reason: error.message }, 'redis connection error'));
if (redis.status !== 'ready') await once(redis, 'ready');
const admin = await bootstrapAdmin(redis, adminPassword !== undefined ? { password: adminPassword } : {});
if (admin.passwordFile) logger.info({ passwordFile: admin.passwordFile }, 'admin password generated; read it once from this file, then change it');
const app = await createApi({
  config: () => config,
  redis,
  redisUrl: env.REDIS_URL,
  events: createEventPublisher({ redis, source: '/tidewater/api', onPublished: recordEventMetrics }),
  logger,
  ...(env.AUDITOR_URL ? { auditorUrl: env.AUDITOR_URL } : {}),
  ...(signingKey !== undefined ? { signingKey } : {}),
  ...(process.env.TIDEWATER_SECRET_SLACK_SIGNING_SECRET
    ? { slack: { signingSecret: resolveSecret({ env: 'TIDEWATER_SECRET_SLACK_SIGNING_SECRET' }), users: parseSlackUsers(env.TIDEWATER_SLACK_USERS) } }
    : {}),
});
await app.listen({ port: env.PORT, host: env.HOST }).catch(exitOnPortClash('api', { PORT: env.PORT }));
reloadOnHangup({ logger, load: () => loadConfigSource(env.TIDEWATER_CONFIG), apply: (next) => { config = next; } });
stopOnSignals({
  service: 'api', logger, deadlineMs: env.SHUTDOWN_TIMEOUT_MS,
  async stop() {
    await app.close();
    await redis.quit();
    await telemetry.shutdown();
  },
});
