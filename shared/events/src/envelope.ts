import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';

/** Data every Tidewater event carries, whatever its type. */
export interface EventData {
  app?: string;
  revision?: string;
  actor?: string;
  traceId?: string;
  [key: string]: unknown;
}

/** A CloudEvents 1.0 JSON envelope. */
export interface CloudEvent<D extends EventData = EventData> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  /** CloudEvents distributed-tracing extension: the W3C trace context active when the event was published. */
  traceparent?: string;
  tracestate?: string;
  data: D;
}

export interface NewEvent<D extends EventData = EventData> {
  type: string;
  subject?: string;
  data: D;
}

/** The trace context an event carries, as a carrier for `withSpan` (so a consumer continues the same trace). */
export function traceCarrierOf(event: Pick<CloudEvent, 'traceparent' | 'tracestate'>): Record<string, string> {
  return {
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    ...(event.tracestate ? { tracestate: event.tracestate } : {}),
  };
}

/** Wraps event data in a CloudEvents envelope; `source` names the emitting service (`/tidewater/gateway`). */
export function makeCloudEvent<D extends EventData>(source: string, event: NewEvent<D>): CloudEvent<D> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return {
    ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
    specversion: '1.0',
    id: randomUUID(),
    source,
    type: event.type,
    time: new Date().toISOString(),
    subject: event.subject ?? event.data.app,
    datacontenttype: 'application/json',
    data: event.data,
  };
}
