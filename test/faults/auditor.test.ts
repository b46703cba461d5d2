// Fault suite: the auditor killed -9 mid-stream, and the audit volume full. Real processes: redis-server (AOF) and
// the auditor as `node services/auditor/src/main.ts` (its `verify` and `export` commands check the result).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createEventPublisher, eventsStreamKey, eventTypes, type EventPublisher } from '@tidewater/events';
import { freePort, makeWorkDir, repoRoot, waitFor } from '../harness/src/index.ts';
import { startDurableRedis, type DurableRedis } from './support/durable-redis.ts';
import { eventsOf, measured, waitForEvents } from './support/fault-events.ts';
import { startService, type ServiceProcess } from './support/service-process.ts';

const auditorMain = join(repoRoot, 'services/auditor/src/main.ts');

/** The auditor's own CLI: `verify` (exit 0 when the hash chain holds) and `export` (the records as JSON Lines). */
function auditCli(command: 'verify' | 'export', dir: string): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [auditorMain, command, '--dir', dir], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout };
}
const exportedIds = (dir: string): string[] => auditCli('export', dir).stdout.split('\n').filter(Boolean)
  .map((line) => (JSON.parse(line) as { event: { id: string } }).event.id);

/** A small tmpfs for the audit directory (root only): the "volume full" fault without a loop device. */
function mountSmallVolume(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tidewater-audit-fault', dir]).status === 0;
}

describe('faults: auditor killed, audit volume full', { timeout: 120_000 }, () => {
  let work: { dir: string; remove(): void };
  let redisServer: DurableRedis;
  let redis: Redis;
  let events: EventPublisher;
  let auditor: ServiceProcess;
  const smallDir = () => join(work.dir, 'small-volume');
  let mounted = false;

  beforeAll(async () => {
    work = makeWorkDir('faults-auditor');
    redisServer = await startDurableRedis();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    events = createEventPublisher({ redis, source: '/tidewater/syncer' });
  });
  afterAll(async () => {
    await auditor?.stop();
    if (mounted) spawnSync('umount', [smallDir()]);
    redis?.disconnect();
    await redisServer?.stop();
    work?.remove();
  });

  async function startAuditor(dir: string) {
    const port = await freePort();
    auditor = startService('auditor', { REDIS_URL: redisServer.url, TIDEWATER_AUDIT_DIR: dir, PORT: String(port) }, work.dir);
    await auditor.waitForLog('auditor started', {}, 60_000);
    return `http://127.0.0.1:${port}`;
  }

  const publish = async (count: number, tag: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = await events.publish({ type: eventTypes.syncSucceeded, data: { app: 'fault-audit', revision: `${tag}-${i}`, actor: 'alice' } });
      ids.push(event.id);
    }
    return ids;
  };

  it('an auditor killed -9 three times mid-stream keeps every event exactly once and the chain verifies', async () => {
    const dir = join(work.dir, 'audit');
    await startAuditor(dir);
    const published: string[] = [];
    let lastKill = 0;
    for (let round = 0; round < 3; round++) {
      // Publish while it appends, then kill it while events keep arriving.
      const writing = publish(100, `round${round}`);
      await waitFor('the auditor to append some of this round', () => exportedIds(dir).length > published.length);
      await auditor.kill9();
      lastKill = Date.now();
      published.push(...await writing);
      auditor.restart();
    }
    published.push(...await publish(20, 'after'));
    const ids = await waitFor('every event in the audit log', () => {
      const exported = exportedIds(dir);
      return exported.length >= published.length ? exported : undefined;
    }, { timeoutMs: 60_000 });
    measured('auditor-kill', { caught_up_after_last_kill_ms: Date.now() - lastKill, events: published.length });
    expect(ids).toEqual(published);
    expect(new Set(ids).size).toBe(ids.length);
    expect(auditCli('verify', dir).status).toBe(0);
    await auditor.stop();
  });

  it('the audit volume full: the failure is reported, nothing unwritten is acknowledged, and it catches up when space returns', async (context) => {
    mounted = mountSmallVolume(smallDir());
    if (!mounted) context.skip(); // needs root for `mount -t tmpfs`
    const auditorUrl = await startAuditor(smallDir());
    const filler = join(smallDir(), 'filler');
    const free = () => { const stats = statfsSync(smallDir()); return stats.bavail * stats.bsize; };
    writeFileSync(filler, Buffer.alloc(free()));
    const fullAt = Date.now();
    const ids = await publish(50, 'full');
    const failure = await auditor.waitForLog('audit append failed; retrying');
    expect(String(failure.reason)).toMatch(/ENOSPC|no space/i);
    const health = await waitFor('healthz to show the error', async () => {
      const body = await (await fetch(`${auditorUrl}/healthz`)).json() as { consumer?: { lastError: string | null } };
      return body.consumer?.lastError ? body : undefined;
    });
    expect(health.consumer?.lastError).toMatch(/ENOSPC|no space/i);
    // Reported on the events stream too (once per outage), where the notifier and outside consumers see it.
    const [writeFailed] = await waitForEvents(redis, eventTypes.auditWriteFailed, {});
    expect(writeFailed.data).toMatchObject({ group: 'auditor', code: 'ENOSPC' });
    // Not acknowledged: the events stay pending in the auditor's group, and none reached the log.
    const [pending] = await redis.xpending(eventsStreamKey, 'auditor') as [number];
    expect(pending).toBeGreaterThan(0);
    expect(exportedIds(smallDir())).toEqual([]);

    rmSync(filler);
    const freedAt = Date.now();
    const appended = await waitFor('the auditor to catch up', () => {
      const exported = exportedIds(smallDir());
      return exported.length >= ids.length + 1 ? exported : undefined;
    }, { timeoutMs: 60_000 });
    measured('audit-volume-full', { full_ms: freedAt - fullAt, caught_up_after_space_ms: Date.now() - freedAt });
    // The log holds the published events in order, with the auditor's own report of the outage among them.
    expect(appended.filter((id) => ids.includes(id))).toEqual(ids);
    const ownReports = [...await eventsOf(redis, eventTypes.auditWriteFailed), ...await eventsOf(redis, eventTypes.auditWriteRecovered)].map((event) => event.id);
    expect(appended.filter((id) => !ids.includes(id)).every((id) => ownReports.includes(id))).toBe(true);
    const [recovered] = await waitForEvents(redis, eventTypes.auditWriteRecovered, {});
    expect(recovered.data.failedForMs).toBeGreaterThan(0);
    expect(await eventsOf(redis, eventTypes.auditWriteFailed)).toHaveLength(1);
    expect(auditCli('verify', smallDir()).status).toBe(0);
    await waitFor('nothing pending', async () => ((await redis.xpending(eventsStreamKey, 'auditor')) as [number])[0] === 0);
  });
});
