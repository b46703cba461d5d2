import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger } from 'pino';

/** Field paths that may hold secrets anywhere in a log record; pino replaces them with [redacted]. */
export const redactedPaths = [
  'secret', '*.secret', 'token', '*.token', 'password', '*.password', 'authorization', '*.authorization',
  'headers.authorization', 'headers["x-hub-signature-256"]', 'headers["x-gitlab-token"]', 'headers["x-gitea-signature"]',
  'headers["x-hub-signature"]', 'webhookSecret', '*.webhookSecret', 'kubeconfig', '*.kubeconfig',
];

/**
 * One structured logger per service. Every record carries the active trace id, so logs of one change
 * can be joined with its spans and events. `destination` (default stdout) lets a test capture every line.
 */
export function createLogger(service: string, options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const settings: LoggerOptions = {
    name: service,
    level: process.env.TIDEWATER_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info',
    base: { service },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    mixin() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {};
    },
    ...options,
  };
  return destination ? pino(settings, destination) : pino(settings);
}
