import { createReadStream, mkdirSync } from 'node:fs';
import { open, rename, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CloudEvent, StreamEntry } from '@tidewater/events';
import type { Logger } from '@tidewater/telemetry';
import { createAuditIndex, type IndexedFields } from './audit-index.ts';
import { hasFilters, type AuditQuery } from './audit-query.ts';
import { compareStreamIds, genesisHash, sealRecord, type AuditRecord } from './audit-record.ts';
import { lockAuditDir } from './dir-lock.ts';
import { readFileLines } from './line-reader.ts';
import { AuditStorageError } from './storage-errors.ts';
import { readHead, verifyAuditFile, type LogHead, type VerifyResult } from './verify-log.ts';

export const auditFileName = 'audit.jsonl';
export const headFileName = 'head.json';

export interface AuditLogOptions {
  /** Directory of the log (created when missing); one auditor process writes it. */
  dir: string;
  logger?: Logger;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Pass as `after` for the next page; null when there is none. */
  nextCursor: number | null;
}

/** An append-only, hash-chained JSON Lines file with an in-memory index for queries. */
export interface AuditLog {
  readonly dir: string;
  readonly file: string;
  readonly lastSeq: number;
  /** The stream id of the last appended event: redeliveries up to it are skipped. */
  readonly lastStreamId: string | undefined;
  readonly headHash: string;
  /**
   * Appends the entries not yet in the log (stream id after `lastStreamId`), in stream order, with one write
   * and one `datasync`; resolves with the new records once they are on disk.
   */
  append(entries: readonly StreamEntry[]): Promise<AuditRecord[]>;
  /** Records with seq after `afterSeq`, in order, at most `limit`. */
  readAfter(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  query(query: AuditQuery, page?: { after?: number; limit?: number }): Promise<AuditPage>;
  /** Every matching record, in batches, oldest first. */
  scan(query: AuditQuery, options?: { batchSize?: number }): AsyncGenerator<AuditRecord[]>;
  /** JSON Lines of the matching records (the file as written when there is no filter). */
  exportLines(query?: AuditQuery): Readable;
  /** Verifies the chain of what this log has written so far (see verifyAuditFile). */
  verify(): Promise<VerifyResult>;
  /** Resolves once a record after `afterSeq` exists, or after `timeoutMs`. */
  waitForAppend(afterSeq: number, timeoutMs: number): Promise<void>;
  apps(): string[];
  close(): Promise<void>;
}

function fieldsOf(event: CloudEvent | undefined): IndexedFields {
  const data = (event?.data ?? {}) as Record<string, unknown>;
  const apps: string[] = [];
  if (typeof data.app === 'string') apps.push(data.app);
  if (Array.isArray(data.apps)) for (const app of data.apps) if (typeof app === 'string') apps.push(app);
  return {
    timeMs: typeof event?.time === 'string' ? Date.parse(event.time) : Number.NaN,
    type: typeof event?.type === 'string' ? event.type : '',
    apps,
    ...(typeof data.actor === 'string' ? { actor: data.actor } : {}),
  };
}

function parseRecordLine(text: string): AuditRecord {
  return JSON.parse(text) as AuditRecord;
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written);
    written += bytesWritten;
  }
}

/**
 * Opens (or creates) the audit log in `dir`: takes the directory lock, drops a torn last line left by a crash
 * (it was never acknowledged), and rebuilds the index from the file.
 */
export async function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const { dir, logger } = options;
  mkdirSync(dir, { recursive: true });
  const lock = lockAuditDir(dir);
  const file = join(dir, auditFileName);
  const headFile = join(dir, headFileName);
  const index = createAuditIndex();
  let lastSeq = 0;
  let lastStreamId: string | undefined;
  let headHash = genesisHash;
  let fileSize = 0;
  let writeHandle: FileHandle | undefined;
  let readHandle: FileHandle | undefined;
  let closed = false;
  const waiters = new Set<() => void>();

  try {
    let damagedAt: number | undefined;
    let tornAt: number | undefined;
    try {
      await stat(file);
      for await (const line of readFileLines(file)) {
        if (!line.terminated) {
          tornAt = line.offset;
          break;
        }
        const position = index.size + 1;
        let record: AuditRecord | undefined;
        try {
          record = parseRecordLine(line.text);
        } catch {
          record = undefined;
        }
        if (!record || record.seq !== position) damagedAt ??= position;
        index.add({ offset: line.offset, length: line.length }, fieldsOf(record?.event));
        if (record && typeof record.hash === 'string') headHash = record.hash;
        if (record && typeof record.streamId === 'string' && compareStreamIds(record.streamId, lastStreamId) > 0) lastStreamId = record.streamId;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (tornAt !== undefined) {
      // A batch cut short by a crash: never datasynced completely, so never acknowledged; it is read again.
      await truncate(file, tornAt);
      logger?.warn({ offset: tornAt }, 'audit log ended in a partial line; removed it (its events are redelivered)');
    }
    lastSeq = index.size;
    fileSize = index.endOffset;
    if (damagedAt !== undefined) logger?.error({ atSeq: damagedAt }, 'audit log is damaged; run verify');
    const head = await readHead(headFile);
    if (head && head.seq > lastSeq) logger?.error({ headSeq: head.seq, lastSeq }, 'audit log is shorter than its head: records were removed; run verify');

    writeHandle = await open(file, 'a');
    readHandle = await open(file, 'r');
    if (lastSeq === 0) await syncDirectory(dir);
  } catch (error) {
    await writeHandle?.close().catch(() => {});
    lock.release();
    throw error;
  }

  let writeChain: Promise<unknown> = Promise.resolve();

  async function writeHead(head: LogHead & { streamId?: string }) {
    const temporary = `${headFile}.tmp`;
    await writeFile(temporary, JSON.stringify(head));
    await rename(temporary, headFile);
  }

  async function appendNow(entries: readonly StreamEntry[]): Promise<AuditRecord[]> {
    if (closed || !writeHandle) throw new AuditStorageError('append after close', undefined);
    const ordered = [...entries].sort((a, b) => compareStreamIds(a.streamId, b.streamId));
    const sealed: Array<{ record: AuditRecord; line: Buffer }> = [];
    let prevHash = headHash;
    let seq = lastSeq;
    let newestId = lastStreamId;
    for (const entry of ordered) {
      if (compareStreamIds(entry.streamId, newestId) <= 0) continue; // already in the log: a redelivery
      seq++;
      const { record, line } = sealRecord(prevHash, seq, entry.streamId, entry.event);
      sealed.push({ record, line: Buffer.from(line) });
      prevHash = record.hash;
      newestId = entry.streamId;
    }
    if (sealed.length === 0) return [];
    const buffer = Buffer.concat(sealed.map((item) => item.line));
    try {
      await writeAll(writeHandle, buffer);
      await writeHandle.datasync();
    } catch (error) {
      // Leave no half batch behind: the entries stay unacknowledged and are appended again.
      await writeHandle.truncate(fileSize).catch(() => {});
      throw new AuditStorageError('append', error);
    }
    let offset = fileSize;
    for (const { record, line } of sealed) {
      index.add({ offset, length: line.length }, fieldsOf(record.event));
      offset += line.length;
    }
    fileSize = offset;
    lastSeq = seq;
    headHash = prevHash;
    lastStreamId = newestId;
    await writeHead({ seq, hash: prevHash, ...(newestId ? { streamId: newestId } : {}) }).catch((error: unknown) => {
      logger?.warn({ code: (error as NodeJS.ErrnoException).code }, 'audit head could not be written');
    });
    for (const wake of [...waiters]) wake();
    return sealed.map((item) => item.record);
  }

  async function readPositions(positions: readonly number[]): Promise<AuditRecord[]> {
    if (!readHandle) throw new AuditStorageError('read after close', undefined);
    const records: AuditRecord[] = [];
    let runStart = 0;
    while (runStart < positions.length) {
      let runEnd = runStart;
      while (runEnd + 1 < positions.length && positions[runEnd + 1] === positions[runEnd] + 1 && runEnd - runStart < 2_000) runEnd++;
      const first = index.location(positions[runStart]);
      const last = index.location(positions[runEnd]);
      const length = last.offset + last.length - first.offset;
      const buffer = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await readHandle.read(buffer, read, length - read, first.offset + read);
        if (bytesRead === 0) throw new AuditStorageError('read (file shorter than its index)', undefined);
        read += bytesRead;
      }
      let start = 0;
      for (let position = positions[runStart]; position <= positions[runEnd]; position++) {
        const end = start + index.location(position).length;
        records.push(parseRecordLine(buffer.toString('utf8', start, end - 1)));
        start = end;
      }
      runStart = runEnd + 1;
    }
    return records;
  }

  async function* scan(query: AuditQuery, scanOptions: { batchSize?: number } = {}): AsyncGenerator<AuditRecord[]> {
    const batchSize = scanOptions.batchSize ?? 1_000;
    let after = 0;
    for (;;) {
      const positions = index.find(query, after, batchSize);
      if (positions.length === 0) return;
      yield await readPositions(positions);
      after = positions[positions.length - 1];
    }
  }

  const log: AuditLog = {
    dir,
    file,
    get lastSeq() {
      return lastSeq;
    },
    get lastStreamId() {
      return lastStreamId;
    },
    get headHash() {
      return headHash;
    },
    append(entries) {
      const run = writeChain.then(() => appendNow(entries));
      writeChain = run.catch(() => {});
      return run;
    },
    async readAfter(afterSeq, limit) {
      const first = Math.max(1, afterSeq + 1);
      const last = Math.min(lastSeq, first + limit - 1);
      if (last < first) return [];
      return readPositions(Array.from({ length: last - first + 1 }, (_, i) => first + i));
    },
    async query(query, page = {}) {
      const limit = page.limit ?? 100;
      const positions = index.find(query, page.after ?? 0, limit + 1);
      const more = positions.length > limit;
      const shown = positions.slice(0, limit);
      return { records: await readPositions(shown), nextCursor: more ? shown[shown.length - 1] : null };
    },
    scan,
    exportLines(query = {}) {
      if (!hasFilters(query)) {
        const end = fileSize;
        return end === 0 ? Readable.from([]) : createReadStream(file, { start: 0, end: end - 1 });
      }
      return Readable.from((async function* () {
        for await (const batch of scan(query)) yield batch.map((record) => `${JSON.stringify(record)}\n`).join('');
      })());
    },
    verify() {
      return verifyAuditFile(file, { endOffset: fileSize, expectedHead: { seq: lastSeq, hash: headHash } });
    },
    waitForAppend(afterSeq, timeoutMs) {
      if (lastSeq > afterSeq || closed) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
      });
    },
    apps: () => index.apps(),
    async close() {
      if (closed) return;
      await writeChain;
      closed = true;
      for (const wake of [...waiters]) wake();
      await writeHandle?.close().catch(() => {});
      await readHandle?.close().catch(() => {});
      lock.release();
    },
  };
  return log;
}

/** Makes a newly created file's directory entry durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the file's own datasync still holds
  } finally {
    await handle.close();
  }
}
