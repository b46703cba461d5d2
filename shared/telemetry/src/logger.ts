import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { trace } from '@opentelemetry/api';
import { PinoPretty } from 'pino-pretty';

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
  if (destination) return pino(settings, destination);
  return logFormat() === 'pretty' ? pino(settings, prettyDestination()) : pino(settings);
}

/** Human-readable lines on stdout for a terminal (pino-pretty, synchronous so nothing is lost at exit). */
export function prettyDestination(): DestinationStream {
  return PinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', sync: true });
}

/**
 * How a service logs: human-readable (pino-pretty) when stdout is a terminal, JSON Lines otherwise (files,
 * pipes, Kubernetes). TIDEWATER_LOG_FORMAT=json|pretty overrides the guess.
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): 'json' | 'pretty' {
  const format = env.TIDEWATER_LOG_FORMAT;
  if (format === 'json' || format === 'pretty') return format;
  return isTTY ? 'pretty' : 'json';
}

/**
 * The logger of one service inside a process that runs several (`tide all`): same destination and level as
 * `parent`, `service` set once. (`parent.child({ service })` would write the key twice in every line.)
 */
export function serviceLogger(parent: Logger, service: string): Logger {
  const destination = (parent as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  return createLogger(service, { level: parent.level }, destination);
}
