import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { compareStreamIds, genesisHash, hashRecord } from './audit-record.ts';
import { readFileLines } from './line-reader.ts';

export type VerifyResult =
  | { ok: true; records: number; headHash: string }
  | { ok: false; atSeq: number; reason: string; records: number };

/** The last record as the writer last knew it: detects records cut from the end of the file. */
export interface LogHead {
  seq: number;
  hash: string;
}

export interface VerifyOptions {
  /** Verify only the bytes before this offset (a snapshot of a log still being appended). */
  endOffset?: number;
  /** Where the log must reach. Without it, `head.json` beside the log is read when present. */
  expectedHead?: LogHead;
  headFile?: string;
}

/**
 * Walks the hash chain from the genesis hash: every record must carry the next seq, the previous record's hash,
 * a stream id after the previous one and the hash of its own content. A changed record fails on its hash (or
 * seq), a removed or reordered one on its seq; records cut from the end fail against the head.
 * A last line without a newline is a write in progress and is not verified.
 */
export async function verifyAuditFile(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const head = options.expectedHead ?? (options.headFile ? await readHead(options.headFile) : undefined);
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let prevStreamId: string | undefined;
  const fail = (reason: string): VerifyResult => ({ ok: false, atSeq: expectedSeq, reason, records: expectedSeq - 1 });

  if (existsSync(path)) {
    for await (const line of readFileLines(path, options.endOffset !== undefined ? { endOffset: options.endOffset } : {})) {
      if (!line.terminated) break;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line.text) as Record<string, unknown>;
      } catch {
        return fail(`line ${expectedSeq} is not valid JSON`);
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) return fail(`line ${expectedSeq} is not a record`);
      const { seq, streamId, event, hash } = record;
      if (seq !== expectedSeq) {
        return fail(`expected seq ${expectedSeq} but found ${JSON.stringify(seq)}: a record was removed, inserted or reordered`);
      }
      if (typeof streamId !== 'string' || typeof hash !== 'string' || event === null || typeof event !== 'object') {
        return fail(`record ${expectedSeq} lacks streamId, event or hash`);
      }
      if (record.prevHash !== prevHash) return fail(`record ${expectedSeq} does not carry the previous record's hash: the chain is broken`);
      if (prevStreamId !== undefined && compareStreamIds(streamId, prevStreamId) <= 0) {
        return fail(`record ${expectedSeq} has stream id ${streamId}, not after ${prevStreamId}: records were reordered`);
      }
      if (hashRecord(prevHash, { seq: expectedSeq, streamId, event }) !== hash) {
        return fail(`record ${expectedSeq} does not match its hash: its content was changed`);
      }
      if (head && head.seq === expectedSeq && head.hash !== hash) {
        return fail(`record ${expectedSeq} is not the record the writer last appended (head hash differs)`);
      }
      prevHash = hash;
      prevStreamId = streamId;
      expectedSeq++;
    }
  }
  const records = expectedSeq - 1;
  if (head && head.seq > records) {
    return { ok: false, atSeq: records + 1, reason: `the log ends at seq ${records} but had reached seq ${head.seq}: records were removed from the end`, records };
  }
  return { ok: true, records, headHash: prevHash };
}

/** Reads `head.json`; absent or unreadable → undefined (a log written before any head, or a first start). */
export async function readHead(path: string): Promise<LogHead | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LogHead>;
    if (typeof parsed.seq === 'number' && typeof parsed.hash === 'string') return { seq: parsed.seq, hash: parsed.hash };
  } catch {
    // no head yet
  }
  return undefined;
}
