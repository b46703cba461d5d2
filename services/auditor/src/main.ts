// `node services/auditor/src/main.ts`            runs the auditor (env: REDIS_URL, TIDEWATER_AUDIT_DIR, PORT …)
// `node services/auditor/src/main.ts verify`     verifies the audit log's hash chain; exit 0 intact, 1 tampered
// `node services/auditor/src/main.ts export`     writes the audit log as JSON Lines to stdout
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { configPollIntervalMsFrom, createLiveConfig, loadConfigSource, type TidewaterConfig } from '@tidewater/config';
import { subscribeConfigChanges } from '@tidewater/queues';
import { createLogger, exitOnPortClash, onHangup, startTelemetry, stopOnSignals } from '@tidewater/telemetry';
import { environmentFromApplication } from './dora/environment.ts';
import { defaultAuditDir, parseAuditorEnv } from './env.ts';
import { auditSinkFromEnv, auditSinksFromConfig, type HttpAuditSink } from './forward/audit-sink-config.ts';
import { auditFileName, headFileName } from './log/audit-log.ts';
import { verifyAuditFile } from './log/verify-log.ts';
import { startAuditor } from './start-auditor.ts';

const command = process.argv[2];

if (command === 'verify' || command === 'export') {
  const dirFlag = process.argv.indexOf('--dir');
  const dir = dirFlag > 0 ? process.argv[dirFlag + 1] : process.env.TIDEWATER_AUDIT_DIR || defaultAuditDir();
  const file = join(dir, auditFileName);
  if (command === 'verify') {
    const result = await verifyAuditFile(file, { headFile: join(dir, headFileName) });
    console.log(JSON.stringify(result));
    process.exit(result.ok ? 0 : 1);
  }
  if (existsSync(file)) await pipeline(createReadStream(file), process.stdout);
  process.exit(0);
}
if (command !== undefined) {
  console.error('usage: main.ts [verify|export] [--dir DIR]');
  process.exit(2);
}

const logger = createLogger('auditor');
const env = parseAuditorEnv(process.env);
const telemetry = startTelemetry({ serviceName: 'tidewater-auditor' });

let config: TidewaterConfig | undefined;
if (env.TIDEWATER_CONFIG) {
  config = await loadConfigSource(env.TIDEWATER_CONFIG);
  for (const warning of config.warnings) logger.warn({ warning }, 'configuration warning');
}
const sinks: HttpAuditSink[] = [];
const fromEnv = auditSinkFromEnv(process.env);
if (fromEnv) sinks.push(fromEnv);
if (config) {
  const { sinks: configured, problems } = auditSinksFromConfig(config.otherDocuments);
  for (const problem of problems) logger.error({ problem }, 'audit sink skipped');
  sinks.push(...configured);
}
const environmentsOf = (current: TidewaterConfig | undefined) =>
  new Map((current?.applications ?? []).map((application) => [application.metadata.name, environmentFromApplication(application)]));
let environments = environmentsOf(config);

const auditor = await startAuditor({
  redisUrl: env.REDIS_URL,
  dir: env.auditDir,
  logger,
  sinks,
  port: env.PORT,
  host: env.HOST,
  consumer: env.TIDEWATER_AUDIT_CONSUMER,
  batchSize: env.TIDEWATER_AUDIT_BATCH_SIZE,
  verifyOnStart: env.TIDEWATER_AUDIT_VERIFY_ON_START,
  environmentOf: (app) => environments.get(app),
}).catch(exitOnPortClash('auditor', { PORT: env.PORT }));
logger.info({ dir: env.auditDir, records: auditor.log.lastSeq, sinks: sinks.map((sink) => sink.name) }, 'auditor started');

// Live configuration (SIGHUP, a push to the git:: config repository, a poll): application environments (DORA) follow
// it; audit sinks are read at start only (a changed sink needs a restart, which the log says).
const live = config && env.TIDEWATER_CONFIG ? createLiveConfig({
  source: env.TIDEWATER_CONFIG, initial: config, logger, pollIntervalMs: configPollIntervalMsFrom(),
  apply: (next) => {
    environments = environmentsOf(next);
    if (JSON.stringify(auditSinksFromConfig(next.otherDocuments).sinks.map((sink) => sink.name)) !== JSON.stringify(auditSinksFromConfig(config?.otherDocuments ?? []).sinks.map((sink) => sink.name))) {
      logger.warn('audit sinks changed in the configuration; restart the auditor to use them');
    }
    config = next;
  },
}) : undefined;
const configChanges = live ? subscribeConfigChanges(env.REDIS_URL, () => void live.reload('webhook')) : undefined;
if (live) onHangup(() => void live.reload('signal'));

stopOnSignals({
  service: 'auditor', logger, deadlineMs: env.TIDEWATER_SHUTDOWN_TIMEOUT_MS,
  async stop() {
    live?.close();
    await configChanges?.close();
    await auditor.close();
    await telemetry.shutdown();
  },
});
