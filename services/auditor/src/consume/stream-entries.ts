import { randomUUID } from 'node:crypto';
import type { CloudEvent, StreamEntry } from '@tidewater/events';

/** The type recorded for a stream entry whose `event` field is missing or not a CloudEvent. */
export const malformedEntryType = 'dev.tidewater.audit.malformed-entry';

const maxRawBytes = 64 * 1024;

/**
 * Turns a raw stream entry into the event to audit. An entry that is not a CloudEvent is still recorded (as a
 * `malformed-entry` event holding the raw fields, truncated), so the log shows everything the stream held.
 */
export function entryFromStream(raw: [string, string[]]): StreamEntry {
  const [streamId, fields] = raw;
  const index = fields.indexOf('event');
  const text = index >= 0 ? fields[index + 1] : undefined;
  if (text !== undefined) {
    try {
      const event = JSON.parse(text) as CloudEvent;
      if (event && typeof event === 'object' && typeof event.type === 'string') return { streamId, event };
    } catch {
      // recorded as malformed below
    }
  }
  const rawText = text ?? JSON.stringify(fields);
  return {
    streamId,
    event: {
      specversion: '1.0',
      id: randomUUID(),
      source: '/tidewater/auditor',
      type: malformedEntryType,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { raw: rawText.length > maxRawBytes ? rawText.slice(0, maxRawBytes) : rawText, truncated: rawText.length > maxRawBytes },
    },
  };
}
