import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { eventsStreamKey, eventTypes, makeCloudEvent } from '@tidewater/events';
import { freePort, makeWorkDir, startRedis, waitFor, type RedisInstance } from '../../../test/harness/src/index.ts';
import { startProcess, type ManagedProcess } from '../../../test/harness/src/process.ts';
import { auditFileName } from './log/audit-log.ts';
import type { AuditRecord } from './log/audit-record.ts';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('auditor process', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let work: { dir: string; remove: () => void };
  const processes: ManagedProcess[] = [];

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
    work = makeWorkDir('auditor-main');
  });
  afterAll(async () => {
    for (const managed of processes) await managed.stop();
    redis?.disconnect();
    await redisServer?.stop();
    work?.remove();
  });

  const auditDir = () => join(work.dir, 'audit');
  const records = (): AuditRecord[] => readFileSync(join(auditDir(), auditFileName), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
  const countRecords = () => {
    try {
      return readFileSync(join(auditDir(), auditFileName), 'utf8').split('\n').length - 1;
    } catch {
      return 0;
    }
  };

  async function startAuditorProcess(name: string): Promise<{ process: ManagedProcess; url: string }> {
    const port = await freePort();
    const managed = startProcess(name, process.execPath, [mainPath], {
      cwd: work.dir, logDir: work.dir,
      env: { REDIS_URL: redisServer.url, TIDEWATER_AUDIT_DIR: auditDir(), PORT: String(port), HOST: '127.0.0.1', TIDEWATER_AUDIT_BATCH_SIZE: '50' },
    });
    processes.push(managed);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${name} to answer /healthz`, async () => {
      if (managed.child.exitCode !== null) throw new Error(`exited early:\n${managed.tail()}`);
      return (await fetch(`${url}/healthz`)).ok;
    });
    return { process: managed, url };
  }

  async function publish(count: number, from: number) {
    const pipeline = redis.pipeline();
    for (let i = from; i < from + count; i++) {
      const event = makeCloudEvent('/test', { type: eventTypes.syncSucceeded, data: { app: `app-${i % 7}`, revision: `r${i}`, actor: 'ci' } });
      pipeline.xadd(eventsStreamKey, '*', 'type', event.type, 'event', JSON.stringify(event));
    }
    await pipeline.exec();
  }

  it('killed with SIGKILL mid-stream, a restarted auditor loses nothing and duplicates nothing; verify CLI agrees', async () => {
    const first = await startAuditorProcess('auditor-1');
    let published = 0;
    await publish(500, published);
    published += 500;
    await waitFor('the first auditor to append some records', () => countRecords() >= 100);
    // Keep publishing while it works, then kill it without warning.
    const publishing = (async () => {
      for (let round = 0; round < 20; round++) {
        await publish(100, published);
        published += 100;
      }
    })();
    await waitFor('the first auditor to append more', () => countRecords() >= 600);
    first.process.kill('SIGKILL');
    await first.process.exited;
    await publishing;
    await publish(300, published); // and some only a successor can append
    published += 300;
    expect(countRecords()).toBeLessThan(published);

    const second = await startAuditorProcess('auditor-2');
    await waitFor('every event in the audit log', async () => {
      const health = await (await fetch(`${second.url}/healthz`)).json() as { records: number };
      return health.records >= published;
    });
    const streamIds = (await redis.xrange(eventsStreamKey, '-', '+')).map(([id]) => id);
    const logged = records();
    expect(logged.map((record) => record.streamId)).toEqual(streamIds);
    expect(logged).toHaveLength(published);
    expect(logged.map((record) => record.seq)).toEqual(Array.from({ length: published }, (_, i) => i + 1));

    const verifyResponse = await fetch(`${second.url}/audit/verify`);
    expect(verifyResponse.status).toBe(200);
    await second.process.stop();
    // No error on the way (no false gap, no damaged log): the kill left at most a torn line, which is dropped.
    expect(readFileSync(second.process.logFile, 'utf8')).not.toContain('"level":50');

    const verify = () => spawnSync(process.execPath, [mainPath, 'verify', '--dir', auditDir()], { encoding: 'utf8' });
    const intact = verify();
    expect(intact.status).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, records: published });

    const file = join(auditDir(), auditFileName);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[41] = lines[41].replace('"actor":"ci"', '"actor":"me"');
    writeFileSync(file, lines.join('\n'));
    const tampered = verify();
    expect(tampered.status).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, atSeq: 42 });
  });
});
