import { startNodeSdk } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TelemetryHandle {
  shutdown(): Promise<void>;
}

let started: TelemetryHandle | undefined;

/**
 * Starts OpenTelemetry once per process. Spans always get real ids (so trace ids reach logs, jobs and events);
 * they are exported only when OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_TRACES_EXPORTER say so, or through the span
 * processors passed in (tests use an in-memory exporter).
 */
export function startTelemetry(options: { serviceName: string; spanProcessors?: SpanProcessor[] }): TelemetryHandle {
  if (started) return started;
  const exportConfigured = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT
    || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_TRACES_EXPORTER);
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const spanProcessors = options.spanProcessors ?? (exportConfigured ? undefined : [new NoopSpanProcessor()]);
  const sdk = startNodeSdk({
    resourceAttributes: { 'service.name': options.serviceName },
    resourceDetectors: [],
    logLevel: process.env.OTEL_LOG_LEVEL ?? 'warn',
    ...(spanProcessors ? { spanProcessors } : {}),
  });
  started = { shutdown: () => sdk.shutdown() };
  return started;
}
