// Door: Redis is authenticated. Every service, BullMQ connection and the `tide` CLI connect through
// shared/queues/src/connection.ts, which takes a password or ACL user from REDIS_URL or REDIS_PASSWORD_FILE and
// speaks TLS for rediss:// (REDIS_TLS_CA_FILE). Attacked here with real redis-servers (requirepass, ACL user, TLS).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventPublisher, readAllEvents } from '@tidewater/events';
import { createRedisConnection, redactRedisUrl, redisKeys, redisOptionsFor, RedisConfigError, type SyncResult } from '@tidewater/queues';
import { makeWorkDir, repoRoot, startRedis, waitFor, type RedisInstance } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from '../e2e/environment.ts';

const run = promisify(execFile);

/** A connection that gives up at once, so a refused login shows as a rejected command. */
async function tryPing(url: string, env: Record<string, string> = {}): Promise<string> {
  const connection = createRedisConnection(url, 'producer', { lazyConnect: true, retryStrategy: () => null }, env);
  let reported: Error | undefined;
  connection.on('error', (error: Error) => { reported ??= error; });
  try {
    await connection.connect();
    return await connection.ping();
  } catch (error) {
    // The handshake's own error (NOAUTH, a certificate problem) beats the generic "Connection is closed".
    return `error: ${(reported ?? (error as Error)).message}`;
  } finally {
    connection.disconnect();
  }
}

describe('Redis with requirepass', () => {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  let redis: RedisInstance;
  let work: ReturnType<typeof makeWorkDir>;
  beforeAll(async () => {
    redis = await startRedis({ password });
    work = makeWorkDir('redis-auth');
  });
  afterAll(async () => {
    await redis?.stop();
    work?.remove();
  });

  it('serves a client with the password in REDIS_URL and refuses one without it or with a wrong one, never echoing it', async () => {
    expect(redis.url).toContain(password);
    expect(await tryPing(redis.url)).toBe('PONG');
    const anonymous = await tryPing(`redis://127.0.0.1:${redis.port}`);
    expect(anonymous).toMatch(/NOAUTH/);
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const refused = await tryPing(`redis://:${wrong}@127.0.0.1:${redis.port}`);
    expect(refused).toMatch(/WRONGPASS|invalid password|invalid username-password/i);
    expect(refused).not.toContain(wrong);
  });

  it('reads the password from REDIS_PASSWORD_FILE (a mounted Secret), trailing newline and all', async () => {
    const passwordFile = join(work.dir, 'redis-password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    expect(await tryPing(`redis://127.0.0.1:${redis.port}`, { REDIS_PASSWORD_FILE: passwordFile })).toBe('PONG');
    expect(() => redisOptionsFor(`redis://127.0.0.1:${redis.port}`, { REDIS_PASSWORD_FILE: join(work.dir, 'missing') }))
      .toThrow(/REDIS_PASSWORD_FILE .*missing cannot be read \(ENOENT\)/);
  });

  it('keeps the password out of redacted URLs and configuration errors', () => {
    expect(redactRedisUrl(redis.url)).toBe(`redis://:***@127.0.0.1:${redis.port}`);
    for (const url of [`redis://:${password}@127.0.0.1:1?tls=true`, `http://:${password}@127.0.0.1:1`, `redis://:${password}@127.0.0.1:1/x`]) {
      let thrown: unknown;
      try {
        redisOptionsFor(url, {});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RedisConfigError);
      expect((thrown as Error).message).not.toContain(password);
    }
  });
});

describe('Redis with an ACL user, over TLS only', () => {
  const user = { name: 'tidewater', password: `acl-${randomBytes(12).toString('hex')}` };
  let redis: RedisInstance;
  let tlsEnv: Record<string, string>;
  beforeAll(async () => {
    redis = await startRedis({ user, tls: true });
    tlsEnv = { REDIS_TLS_CA_FILE: redis.caFile! };
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('serves rediss:// with the ACL user and the CA file; refuses plain text, an unknown CA and the default user', async () => {
    expect(redis.url).toMatch(/^rediss:\/\/tidewater:/);
    expect(await tryPing(redis.url, tlsEnv)).toBe('PONG');
    // No CA: the server's certificate is not trusted.
    expect(await tryPing(redis.url)).toMatch(/^error: .*(certificate|self.signed|issuer)/i);
    // Plain text to the TLS port gets no answer a client could use.
    expect(await tryPing(redis.url.replace('rediss://', 'redis://'))).toMatch(/^error:/);
    // The default user is off: TLS alone does not let anyone in.
    expect(await tryPing(`rediss://127.0.0.1:${redis.port}`, tlsEnv)).toMatch(/NOAUTH|WRONGPASS|invalid/i);
  });

  it('carries BullMQ queues and workers (and their duplicated blocking connections) over the authenticated TLS link', async () => {
    const producer = createRedisConnection(redis.url, 'worker', {}, tlsEnv);
    const workerConnection = createRedisConnection(redis.url, 'worker', {}, tlsEnv);
    const name = `auth-${randomBytes(4).toString('hex')}`;
    const queue = new Queue(name, { connection: producer });
    const worker = new Worker(name, async (job) => ({ echoed: job.data.n }), { connection: workerConnection });
    try {
      const job = await queue.add('probe', { n: 42 });
      const done = await waitFor('the job to complete over TLS', async () => ((await queue.getJobState(job.id!)) === 'completed' ? queue.getJob(job.id!) : undefined));
      expect(done?.returnvalue).toEqual({ echoed: 42 });
    } finally {
      await worker.close();
      await queue.close();
      producer.disconnect();
      workerConnection.disconnect();
    }
  });
});

describe('tide all against a Redis that demands an ACL user over TLS', () => {
  const user = { name: 'tidewater', password: `all-${randomBytes(12).toString('hex')}` };
  const logLines: string[] = [];
  let env: TidewaterEnvironment;
  let redis: Redis;
  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } });
    env = await startTidewaterEnvironment({ redis: { user, tls: true }, logger: pino({ level: 'debug' }, sink) });
    redis = createRedisConnection(env.redis.url, 'worker', {}, { REDIS_TLS_CA_FILE: env.redis.caFile! });
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  it('runs the whole loop (gateway → renderer → syncer → notifier, auditor) and never writes the password to a log or event', async () => {
    const revision = env.repo.head();
    const app = env.config().applications[0].metadata.name;
    const result = await waitFor(`${app} to sync ${revision.slice(0, 12)} through the TLS Redis`, async () => {
      const raw = await redis.get(redisKeys.syncStatus(app));
      const parsed = raw ? (JSON.parse(raw) as SyncResult) : undefined;
      return parsed?.revision === revision ? parsed : undefined;
    }, { timeoutMs: 90_000, intervalMs: 100 });
    expect(result.phase).toBe('Succeeded');
    const audited = await waitFor('the auditor to record the sync', async () => {
      const response = await fetch(`${env.auditorUrl}/audit/events?app=${app}`);
      const body = await response.text();
      return body.includes('sync.succeeded') ? body : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(audited).toContain(revision);
    // The operator API (which `tide` talks to; the CLI itself reads no Redis) reads the app's state over the same TLS Redis.
    const login = await fetch(`${env.apiUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: env.adminPassword }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const view = await fetch(`${env.apiUrl}/api/v1/applications/${app}`, { headers: { authorization: `Bearer ${token}` } });
    expect(view.status).toBe(200);
    expect(await view.text()).toContain(revision);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(user.password);
    expect(JSON.stringify(await readAllEvents(redis))).not.toContain(user.password);
  });
});
