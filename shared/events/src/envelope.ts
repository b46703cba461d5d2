import { randomUUID } from 'node:crypto';

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
  data: D;
}

export interface NewEvent<D extends EventData = EventData> {
  type: string;
  subject?: string;
  data: D;
}

/** Wraps event data in a CloudEvents envelope; `source` names the emitting service (`/tidewater/gateway`). */
export function makeCloudEvent<D extends EventData>(source: string, event: NewEvent<D>): CloudEvent<D> {
  return {
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
