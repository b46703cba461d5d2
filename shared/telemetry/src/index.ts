export { createLogger, logFormat, redactedPaths, serviceLogger, type Logger } from './logger.ts';
export { injectTraceContext, currentTraceId, withSpan } from './tracing.ts';
export { startTelemetry, type TelemetryHandle } from './sdk.ts';
export { getMetrics, addQueueDepthSource, recordEventMetrics, observeWorker, startMetricsServer, setSyncerLeader, type TidewaterMetrics } from './metrics.ts';
export { stopOnSignals, reloadOnHangup, onHangup } from './lifecycle.ts';
export { exitOnPortClash, portClashMessage } from './port-clash.ts';
