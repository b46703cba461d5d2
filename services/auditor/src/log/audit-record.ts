import { createHash } from 'node:crypto';
import type { CloudEvent } from '@tidewater/events';
import { canonicalJson } from './canonical-json.ts';

/** `prevHash` of the first record. */
export const genesisHash = '0'.repeat(64);

/** One line of the audit log. */
export interface AuditRecord {
  /** 1, 2, 3 … without gaps. */
  seq: number;
  /** The events stream entry the event was read from; strictly increasing along the log. */
  streamId: string;
  event: CloudEvent;
  /** `hash` of the previous record (`genesisHash` for seq 1). */
  prevHash: string;
  /** sha256 hex of `prevHash + canonicalJson({ seq, streamId, event })`. */
  hash: string;
}

/** The hash a record must carry: sha256(prevHash + canonical JSON of { seq, streamId, event }). */
export function hashRecord(prevHash: string, content: { seq: number; streamId: string; event: unknown }): string {
  return sha256(prevHash + canonicalBody(content.seq, content.streamId, canonicalJson(content.event)));
}

/** Builds the next record and its JSON line (one canonical serialisation of the event serves both). */
export function sealRecord(prevHash: string, seq: number, streamId: string, event: CloudEvent): { record: AuditRecord; line: string } {
  const eventJson = canonicalJson(event);
  const hash = sha256(prevHash + canonicalBody(seq, streamId, eventJson));
  const line = `{"seq":${seq},"streamId":${JSON.stringify(streamId)},"event":${eventJson},"prevHash":"${prevHash}","hash":"${hash}"}\n`;
  return { record: { seq, streamId, event, prevHash, hash }, line };
}

// Keys in canonical (sorted) order: event, seq, streamId.
function canonicalBody(seq: number, streamId: string, eventJson: string): string {
  return `{"event":${eventJson},"seq":${seq},"streamId":${JSON.stringify(streamId)}}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Orders Redis Stream ids (`<ms>-<n>`); an absent id sorts before every other. */
export function compareStreamIds(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const [aMs, aSeq = '0'] = a.split('-');
  const [bMs, bSeq = '0'] = b.split('-');
  const byMs = compareDigits(aMs, bMs);
  return byMs !== 0 ? byMs : compareDigits(aSeq, bSeq);
}

// Stream id parts are unsigned 64-bit integers: compare as digit strings, not as (lossy) doubles.
function compareDigits(a: string, b: string): number {
  const left = a.replace(/^0+(?=\d)/, '');
  const right = b.replace(/^0+(?=\d)/, '');
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  return left < right ? -1 : left > right ? 1 : 0;
}
