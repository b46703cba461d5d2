import { createHash } from 'node:crypto';
import { traceCarrierOf, type CloudEvent } from '@tidewater/events';

/**
 * The trace context to continue for an event: its W3C `traceparent` (CloudEvents distributed-tracing
 * extension), else one continuing `data.traceId` (events of publishers that ran without a tracer).
 */
export function eventTraceCarrier(event: CloudEvent): Record<string, string> | undefined {
  const carrier = traceCarrierOf(event);
  if (carrier.traceparent) return carrier;
  const traceId = typeof event.data.traceId === 'string' ? event.data.traceId : undefined;
  if (!traceId || !/^[\da-f]{32}$/.test(traceId) || /^0+$/.test(traceId)) return undefined;
  // The publishing span's id is not in the event; a stable id derived from the event stands in for it.
  const parentSpanId = createHash('sha256').update(event.id).digest('hex').slice(0, 16).replace(/^0{16}$/, '0000000000000001');
  return { traceparent: `00-${traceId}-${parentSpanId}-01` };
}
