import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedis, type RedisInstance } from '../src/index.ts';

describe('startRedis', () => {
  let redis: RedisInstance;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('is a real redis-server configured for BullMQ', async () => {
    const client = new Redis(redis.url);
    const info = await client.info('server');
    expect(info).toMatch(/redis_version:\d+/);
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    client.disconnect();
  });

  it('round-trips a BullMQ job through a worker', async () => {
    const name = `harness-${Date.now()}`;
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection });
    await events.waitUntilReady();
    const job = await queue.add('double', { n: 21 });
    const result = await job.waitUntilFinished(events, 10_000);
    expect(result).toEqual({ doubled: 42 });
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
