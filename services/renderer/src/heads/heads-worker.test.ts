import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import { createRedisConnection, queueNames } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startGitServer, startRedis, type GitServer, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { createHeadsWorker, type HeadsWorker } from './heads-worker.ts';

let redisServer: RedisInstance;
let gitServer: GitServer;
let redis: Redis;
let worker: HeadsWorker;
let queue: Queue;
let queueEvents: QueueEvents;
const prefix = `heads-${randomBytes(4).toString('hex')}`;
const cacheDir = mkdtempSync(join(tmpdir(), 'tidewater-heads-'));
const config: TidewaterConfig = { applications: [], projects: [], repositories: [], clusters: [], otherDocuments: [], warnings: [] };

beforeAll(async () => {
  [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
  redis = createRedisConnection(redisServer.url, 'worker');
  worker = createHeadsWorker({ config: () => config, redis, logger: createLogger('heads-test', { level: 'silent' }), cacheDir, prefix });
  queue = new Queue(queueNames.heads, { connection: redis, prefix });
  queueEvents = new QueueEvents(queueNames.heads, { connection: createRedisConnection(redisServer.url, 'worker'), prefix });
  await queueEvents.waitUntilReady();
});
afterAll(async () => {
  await worker?.close();
  await queueEvents?.close();
  await queue?.close();
  await redis?.quit();
  await Promise.all([redisServer?.stop(), gitServer?.stop()]);
  rmSync(cacheDir, { recursive: true, force: true });
});

async function ask(repoURL: string, targetRevision: string): Promise<unknown> {
  const job = await queue.add('heads', { repoURL, targetRevision, trace: {} }, { jobId: `heads:test:${randomBytes(6).toString('hex')}` });
  return job.waitUntilFinished(queueEvents, 30_000);
}

describe('the renderer answers branch heads (queue tidewater-heads)', () => {
  it('resolves branches, HEAD and full SHAs, and names a missing ref without credentials', async () => {
    const repo = gitServer.createRepo('heads');
    const main = await repo.commit({ 'a.txt': 'a\n' }, 'on main');
    const release = await repo.commit({ 'b.txt': 'b\n' }, 'on release', { branch: 'release' });
    expect(await ask(repo.url, 'main')).toEqual({ repoURL: repo.url, targetRevision: 'main', revision: main.sha });
    expect(await ask(repo.url, 'release')).toMatchObject({ revision: release.sha });
    expect(await ask(repo.url, 'HEAD')).toMatchObject({ revision: main.sha });
    expect(await ask(repo.url, 'A'.repeat(40))).toMatchObject({ revision: 'a'.repeat(40) });
    await expect(ask(repo.url, 'nope')).rejects.toThrow(/has no branch or tag nope/);
    const failure = await ask('https://robot:s3cret@127.0.0.1:1/private.git', 'main').then(() => new Error('resolved'), (error: Error) => error);
    expect(failure.message).not.toContain('s3cret');
  });
});
