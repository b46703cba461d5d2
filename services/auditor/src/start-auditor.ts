import { recordEventMetrics } from '@tidewater/telemetry';
import type { FastifyInstance } from 'fastify';
import { createEventPublisher } from '@tidewater/events';
import { createRedisConnection } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { createAuditConsumer, type AuditConsumer } from './consume/audit-consumer.ts';
import type { HttpAuditSink } from './forward/audit-sink-config.ts';
import { createHttpForwarder, type HttpForwarder } from './forward/http-forwarder.ts';
import { createAuditApi } from './http/audit-api.ts';
import { openAuditLog, type AuditLog } from './log/audit-log.ts';

export interface StartAuditorOptions {
  redisUrl: string;
  /** Audit directory (see openAuditLog). */
  dir: string;
  logger: Logger;
  sinks?: readonly HttpAuditSink[];
  /** Listen for the HTTP API when given (0: any free port). */
  port?: number;
  host?: string;
  consumer?: string;
  batchSize?: number;
  blockMs?: number;
  retentionCheckIntervalMs?: number;
  environmentOf?: (app: string) => string | undefined;
  /** Verify the chain once the log is open, and log the outcome. */
  verifyOnStart?: boolean;
}

export interface RunningAuditor {
  log: AuditLog;
  consumer: AuditConsumer;
  forwarders: HttpForwarder[];
  api: FastifyInstance;
  /** `http://host:port` when listening. */
  url: string | undefined;
  close(): Promise<void>;
}

/** Opens the log, starts the consumer, the forwarders and (optionally) the HTTP API. */
export async function startAuditor(options: StartAuditorOptions): Promise<RunningAuditor> {
  const { logger } = options;
  const log = await openAuditLog({ dir: options.dir, logger });
  const readRedis = createRedisConnection(options.redisUrl, 'worker');
  const publishRedis = createRedisConnection(options.redisUrl, 'worker', { maxRetriesPerRequest: 3 });
  readRedis.on('error', (error) => logger.warn({ reason: error.message }, 'redis connection error'));
  publishRedis.on('error', (error) => logger.warn({ reason: error.message }, 'redis connection error'));
  const events = createEventPublisher({ redis: publishRedis, source: '/tidewater/auditor', onPublished: recordEventMetrics });

  if (options.verifyOnStart) {
    const result = await log.verify();
    if (result.ok) logger.info({ records: result.records }, 'audit log verified');
    else logger.error({ atSeq: result.atSeq, reason: result.reason }, 'audit log verification failed');
  }

  const consumer = createAuditConsumer({
    redis: readRedis, log, logger, events,
    ...(options.consumer ? { consumer: options.consumer } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.blockMs ? { blockMs: options.blockMs } : {}),
    ...(options.retentionCheckIntervalMs ? { retentionCheckIntervalMs: options.retentionCheckIntervalMs } : {}),
  });
  const forwarders = (options.sinks ?? []).map((sink) => createHttpForwarder({ sink, log, logger, events }));
  const api = createAuditApi({
    log, logger,
    ...(options.environmentOf ? { environmentOf: options.environmentOf } : {}),
    status: () => ({
      consumer: { gapsReported: consumer.status.gapsReported, lag: consumer.status.lastRetention?.lag ?? null, lastError: consumer.status.lastError ?? null },
      sinks: forwarders.map((forwarder) => ({ ...forwarder.status })),
    }),
  });

  consumer.start();
  for (const forwarder of forwarders) forwarder.start();
  let url: string | undefined;
  if (options.port !== undefined) {
    await api.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
    const address = api.server.address();
    url = typeof address === 'object' && address ? `http://${options.host ?? '127.0.0.1'}:${address.port}` : undefined;
    logger.info({ url }, 'auditor listening');
  } else {
    await api.ready();
  }

  let closing: Promise<void> | undefined;
  return {
    log, consumer, forwarders, api, url,
    close() {
      closing ??= (async () => {
        await api.close();
        await consumer.stop();
        await Promise.all(forwarders.map((forwarder) => forwarder.stop()));
        await log.close();
        readRedis.disconnect();
        publishRedis.disconnect();
      })();
      return closing;
    },
  };
}
