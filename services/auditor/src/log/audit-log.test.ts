import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCloudEvent, type StreamEntry } from '@tidewater/events';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { openAuditLog, auditFileName, headFileName, type AuditLog } from './audit-log.ts';
import { genesisHash, hashRecord, type AuditRecord } from './audit-record.ts';
import { AuditLogLockedError } from './storage-errors.ts';
import { verifyAuditFile } from './verify-log.ts';

function entry(ms: number, type: string, data: Record<string, unknown>, time = new Date(ms).toISOString()): StreamEntry {
  return { streamId: `${ms}-0`, event: { ...makeCloudEvent('/test', { type, data }), time } };
}

function lines(dir: string): string[] {
  return readFileSync(join(dir, auditFileName), 'utf8').split('\n').filter(Boolean);
}

function rewrite(dir: string, edit: (lines: string[]) => string[]) {
  writeFileSync(join(dir, auditFileName), `${edit(lines(dir)).join('\n')}\n`);
}

const verifyDir = (dir: string) => verifyAuditFile(join(dir, auditFileName), { headFile: join(dir, headFileName) });

describe('audit log file', () => {
  let work: { dir: string; remove: () => void };
  let log: AuditLog;
  const base = Date.parse('2025-03-01T10:00:00Z');
  const entries = [
    entry(base, 'dev.tidewater.webhook.received', { apps: ['web', 'api'], revision: 'aaa', actor: 'alice' }),
    entry(base + 1_000, 'dev.tidewater.render.succeeded', { app: 'web', revision: 'aaa', actor: 'alice' }),
    entry(base + 2_000, 'dev.tidewater.sync.started', { app: 'web', revision: 'aaa', actor: 'alice' }),
    entry(base + 3_000, 'dev.tidewater.sync.succeeded', { app: 'web', revision: 'aaa', actor: 'alice' }),
    entry(base + 4_000, 'dev.tidewater.sync.failed', { app: 'api', revision: 'aaa', actor: 'bob' }),
    entry(base + 5_000, 'dev.tidewater.sync.succeeded', { app: 'api', revision: 'bbb', actor: 'bob' }),
  ];

  beforeEach(async () => {
    work = makeWorkDir('auditor-log');
    log = await openAuditLog({ dir: work.dir });
  });
  afterEach(async () => {
    await log.close();
    work.remove();
  });

  it('chains records from the genesis hash and verifies', async () => {
    const records = await log.append(entries);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[0].prevHash).toBe(genesisHash);
    for (let i = 1; i < records.length; i++) expect(records[i].prevHash).toBe(records[i - 1].hash);
    const onDisk = lines(work.dir).map((line) => JSON.parse(line) as AuditRecord);
    expect(onDisk.map((record) => record.event.id)).toEqual(entries.map((item) => item.event.id));
    expect(onDisk[3].hash).toBe(hashRecord(onDisk[3].prevHash, onDisk[3]));
    expect(await log.verify()).toEqual({ ok: true, records: 6, headHash: records[5].hash });
    expect(await verifyDir(work.dir)).toMatchObject({ ok: true, records: 6 });
  });

  it('does not append a redelivered entry twice, even out of order', async () => {
    await log.append(entries.slice(0, 3));
    const again = await log.append([entries[4], entries[1], entries[2], entries[3]]);
    expect(again.map((record) => record.streamId)).toEqual([entries[3].streamId, entries[4].streamId]);
    expect(lines(work.dir)).toHaveLength(5);
    expect(log.lastStreamId).toBe(entries[4].streamId);
    expect((await log.verify()).ok).toBe(true);
  });

  it('detects a changed field at its seq', async () => {
    await log.append(entries);
    await log.close();
    rewrite(work.dir, (all) => all.map((line, i) => (i === 3 ? line.replace('"actor":"alice"', '"actor":"mallory"') : line)));
    expect(await verifyDir(work.dir)).toMatchObject({ ok: false, atSeq: 4, reason: expect.stringContaining('content was changed') });
    log = await openAuditLog({ dir: work.dir });
  });

  it('detects a removed record', async () => {
    await log.append(entries);
    await log.close();
    rewrite(work.dir, (all) => all.filter((_, i) => i !== 2));
    expect(await verifyDir(work.dir)).toMatchObject({ ok: false, atSeq: 3, reason: expect.stringContaining('removed') });
    log = await openAuditLog({ dir: work.dir });
  });

  it('detects two swapped records', async () => {
    await log.append(entries);
    await log.close();
    rewrite(work.dir, (all) => [all[0], all[2], all[1], ...all.slice(3)]);
    expect(await verifyDir(work.dir)).toMatchObject({ ok: false, atSeq: 2, reason: expect.stringContaining('reordered') });
    log = await openAuditLog({ dir: work.dir });
  });

  it('detects a record whose content and hash were both rewritten (the next record no longer chains)', async () => {
    await log.append(entries);
    await log.close();
    rewrite(work.dir, (all) => all.map((line, i) => {
      if (i !== 1) return line;
      const record = JSON.parse(line) as AuditRecord;
      record.event.data.actor = 'mallory';
      record.hash = hashRecord(record.prevHash, record);
      return JSON.stringify(record);
    }));
    expect(await verifyDir(work.dir)).toMatchObject({ ok: false, atSeq: 3, reason: expect.stringContaining('chain is broken') });
    log = await openAuditLog({ dir: work.dir });
  });

  it('detects records cut from the end against the head', async () => {
    await log.append(entries);
    await log.close();
    rewrite(work.dir, (all) => all.slice(0, 4));
    expect(await verifyDir(work.dir)).toMatchObject({ ok: false, atSeq: 5, reason: expect.stringContaining('removed from the end') });
    log = await openAuditLog({ dir: work.dir });
    expect(await log.verify()).toMatchObject({ ok: true, records: 4 }); // this process only vouches for what it opened
  });

  it('reopens: rebuilds the index, drops a torn last line and continues the chain', async () => {
    await log.append(entries.slice(0, 4));
    await log.close();
    appendFileSync(join(work.dir, auditFileName), '{"seq":5,"streamId":"9'); // a crash mid-write
    log = await openAuditLog({ dir: work.dir });
    expect(log.lastSeq).toBe(4);
    expect(log.lastStreamId).toBe(entries[3].streamId);
    await log.append(entries);
    expect(log.lastSeq).toBe(6);
    expect((await log.query({ app: 'api' })).records.map((record) => record.seq)).toEqual([1, 5, 6]);
    expect(await verifyDir(work.dir)).toMatchObject({ ok: true, records: 6 });
  });

  it('is held by one writer at a time', async () => {
    await expect(openAuditLog({ dir: work.dir })).rejects.toBeInstanceOf(AuditLogLockedError);
  });

  it('answers queries by app, actor, type prefix and time range, with paging', async () => {
    await log.append(entries);
    const seqs = (page: { records: AuditRecord[] }) => page.records.map((record) => record.seq);

    expect(seqs(await log.query({ app: 'web' }))).toEqual([1, 2, 3, 4]);
    expect(seqs(await log.query({ actor: 'bob' }))).toEqual([5, 6]);
    expect(seqs(await log.query({ type: 'dev.tidewater.sync' }))).toEqual([3, 4, 5, 6]);
    expect(seqs(await log.query({ type: 'dev.tidewater.sync.succeeded' }))).toEqual([4, 6]);
    expect(seqs(await log.query({ type: 'dev.tidewater.s*' }))).toEqual([3, 4, 5, 6]);
    expect(seqs(await log.query({ type: 'dev.tidewater.syn' }))).toEqual([]);
    expect(seqs(await log.query({ fromMs: base + 1_000, toMs: base + 4_000 }))).toEqual([2, 3, 4]);
    expect(seqs(await log.query({ app: 'api', type: 'dev.tidewater.sync', actor: 'bob' }))).toEqual([5, 6]);
    expect(seqs(await log.query({ app: 'nope' }))).toEqual([]);

    const first = await log.query({ app: 'web' }, { limit: 3 });
    expect(seqs(first)).toEqual([1, 2, 3]);
    expect(first.nextCursor).toBe(3);
    const second = await log.query({ app: 'web' }, { limit: 3, after: first.nextCursor ?? 0 });
    expect(seqs(second)).toEqual([4]);
    expect(second.nextCursor).toBeNull();
    expect(seqs(await log.query({}, { after: 4, limit: 10 }))).toEqual([5, 6]);
  });

  it('exports JSON Lines: the file as written, or the filtered records', async () => {
    await log.append(entries);
    const read = async (stream: NodeJS.ReadableStream) => {
      let text = '';
      for await (const chunk of stream) text += chunk.toString();
      return text;
    };
    const all = await read(log.exportLines());
    expect(all).toBe(readFileSync(join(work.dir, auditFileName), 'utf8'));
    const filtered = (await read(log.exportLines({ actor: 'bob' }))).trimEnd().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(filtered.map((record) => record.seq)).toEqual([5, 6]);
    expect(filtered[1]).toEqual(JSON.parse(lines(work.dir)[5]));
  });
});
