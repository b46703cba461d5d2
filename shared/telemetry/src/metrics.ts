import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Tidewater's Prometheus metrics, named in the spirit of Argo CD's (`argocd_app_sync_total` →
 * `tidewater_app_sync_total`). One registry per process; in `tide all` every service shares it.
 */
export interface TidewaterMetrics {
  registry: Registry;
  webhooks: Counter<'provider' | 'outcome'>;
  /** Refused webhook requests by provider and fixed reason; counted, never written to the events stream. */
  webhookRejections: Counter<'provider' | 'reason'>;
  renders: Counter<'app' | 'result'>;
  syncs: Counter<'app' | 'phase'>;
  prunes: Counter<'app'>;
  drift: Counter<'app'>;
  health: Gauge<'app' | 'health'>;
  notifications: Counter<'channel' | 'result'>;
  jobDuration: Histogram<'queue' | 'result'>;
  queueDepth: Gauge<'queue' | 'state'>;
}

let shared: TidewaterMetrics | undefined;

/** The process's metrics (created once). `queueCounts` feeds the queue-depth gauge at scrape time. */
export function getMetrics(): TidewaterMetrics {
  if (shared) return shared;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tidewater_process_' });
  const depthSources: Array<() => Promise<Record<string, Record<string, number>>>> = [];
  const metrics: TidewaterMetrics = {
    registry,
    webhooks: new Counter({ name: 'tidewater_webhook_requests_total', help: 'Webhook deliveries by provider and outcome (accepted, duplicate, ignored, rejected).', labelNames: ['provider', 'outcome'], registers: [registry] }),
    webhookRejections: new Counter({
      name: 'tidewater_webhook_rejected_total',
      help: 'Webhook requests refused (bad signature, malformed payload, rate limited, …) by provider and reason; a flood shows here, not in the events stream.',
      labelNames: ['provider', 'reason'], registers: [registry],
    }),
    renders: new Counter({ name: 'tidewater_app_render_total', help: 'Renders by application and result.', labelNames: ['app', 'result'], registers: [registry] }),
    syncs: new Counter({ name: 'tidewater_app_sync_total', help: 'Syncs by application and phase.', labelNames: ['app', 'phase'], registers: [registry] }),
    prunes: new Counter({ name: 'tidewater_app_pruned_objects_total', help: 'Objects pruned by application.', labelNames: ['app'], registers: [registry] }),
    drift: new Counter({ name: 'tidewater_app_drift_detected_total', help: 'Drift detections by application.', labelNames: ['app'], registers: [registry] }),
    health: new Gauge({ name: 'tidewater_app_health_status', help: '1 for the current health status of each application.', labelNames: ['app', 'health'], registers: [registry] }),
    notifications: new Counter({ name: 'tidewater_notifications_total', help: 'Notifications by channel and result (sent, failed).', labelNames: ['channel', 'result'], registers: [registry] }),
    jobDuration: new Histogram({
      name: 'tidewater_job_duration_seconds', help: 'Queue job processing time by queue and result.', labelNames: ['queue', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'tidewater_queue_jobs', help: 'Jobs per queue and state.', labelNames: ['queue', 'state'], registers: [registry],
      async collect() {
        for (const source of depthSources) {
          const byQueue = await source().catch(() => ({}));
          for (const [queue, counts] of Object.entries(byQueue)) {
            for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
          }
        }
      },
    }),
  };
  (metrics as TidewaterMetrics & { depthSources: typeof depthSources }).depthSources = depthSources;
  shared = metrics;
  return metrics;
}

/** Adds a source of queue depths (`{ queueName: { waiting: n, active: n, … } }`) read at each scrape. */
export function addQueueDepthSource(source: () => Promise<Record<string, Record<string, number>>>): void {
  (getMetrics() as TidewaterMetrics & { depthSources: Array<typeof source> }).depthSources.push(source);
}

/** Counts what an event says happened; wrapped around every service's publisher, so metrics follow events. */
export function recordEventMetrics(event: { type: string; data: Record<string, unknown> }): void {
  const metrics = getMetrics();
  const app = typeof event.data.app === 'string' ? event.data.app : '';
  const type = event.type.replace(/^dev\.tidewater\./, '');
  switch (type) {
    case 'webhook.received': metrics.webhooks.inc({ provider: String(event.data.provider ?? ''), outcome: 'accepted' }); break;
    case 'webhook.rejected': metrics.webhooks.inc({ provider: String(event.data.provider ?? ''), outcome: 'rejected' }); break;
    case 'render.succeeded': metrics.renders.inc({ app, result: 'succeeded' }); break;
    case 'render.failed': metrics.renders.inc({ app, result: 'failed' }); break;
    case 'sync.succeeded': metrics.syncs.inc({ app, phase: 'Succeeded' }); break;
    case 'sync.failed': metrics.syncs.inc({ app, phase: 'Failed' }); break;
    case 'resource.pruned': metrics.prunes.inc({ app }); break;
    case 'drift.detected': metrics.drift.inc({ app }); break;
    case 'health.changed': {
      const health = String(event.data.health ?? 'Unknown');
      for (const status of ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']) metrics.health.set({ app, health: status }, status === health ? 1 : 0);
      break;
    }
    case 'notification.sent': metrics.notifications.inc({ channel: String(event.data.channel ?? ''), result: 'sent' }); break;
    case 'notification.failed': metrics.notifications.inc({ channel: String(event.data.channel ?? ''), result: 'failed' }); break;
    default: break;
  }
}

/** Observes a BullMQ worker's job durations (processedOn → finishedOn). */
export function observeWorker(queue: string, worker: {
  on(event: 'completed' | 'failed', listener: (job: { processedOn?: number; finishedOn?: number } | undefined) => void): unknown;
}): void {
  const metrics = getMetrics();
  const observe = (result: string) => (job: { processedOn?: number; finishedOn?: number } | undefined) => {
    if (job?.processedOn && job.finishedOn) metrics.jobDuration.observe({ queue, result }, (job.finishedOn - job.processedOn) / 1000);
  };
  worker.on('completed', observe('completed'));
  worker.on('failed', observe('failed'));
}

/**
 * A bare `/metrics` endpoint for services without an HTTP server of their own (renderer, syncer …), plus
 * `/healthz` (the process answers) for Kubernetes probes.
 */
export function startMetricsServer(port: number, host = '127.0.0.1'): Promise<Server> {
  const { registry } = getMetrics();
  const server = createServer((request, response) => {
    if (request.url === '/healthz') return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(error.message));
  });
  return new Promise((resolveServer, reject) => {
    // A listen error rejects (the caller names the setting: exitOnPortClash) instead of an unhandled 'error' event.
    server.once('error', reject);
    server.listen(port, host, () => resolveServer(server));
  });
}

let leaderGauge: Gauge | undefined;

/** `tidewater_syncer_leader` (1 while this syncer replica leads: runs watches, drift detection and self-heal; else 0). */
export function setSyncerLeader(leading: boolean): void {
  leaderGauge ??= new Gauge({
    name: 'tidewater_syncer_leader',
    help: '1 while this syncer replica is the leader that runs watches, drift detection and self-heal; 0 while it only runs sync jobs.',
    registers: [getMetrics().registry],
  });
  leaderGauge.set(leading ? 1 : 0);
}
