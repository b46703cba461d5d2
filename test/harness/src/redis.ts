import { Redis } from 'ioredis';
import { freePort } from './ports.ts';
import { raceExit, startProcess } from './process.ts';
import { waitFor } from './wait.ts';
import { makeWorkDir } from './workdir.ts';
import { dockerAvailable } from './docker.ts';

export interface RedisInstance {
  url: string;
  host: string;
  port: number;
  backend: 'redis-server' | 'testcontainers' | 'external';
  stop(): Promise<void>;
}

/**
 * A real Redis: `REDIS_URL` when set, a testcontainers Redis when a Docker engine answers, else a
 * redis-server on a free loopback port with its own directory (noeviction, as BullMQ requires).
 */
export async function startRedis(): Promise<RedisInstance> {
  if (process.env.REDIS_URL) {
    const url = new URL(process.env.REDIS_URL);
    return { url: url.toString(), host: url.hostname, port: Number(url.port || 6379), backend: 'external', stop: async () => {} };
  }
  if (dockerAvailable()) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7').withCommand(['redis-server', '--maxmemory-policy', 'noeviction']).start();
    const url = container.getConnectionUrl();
    return { url, host: container.getHost(), port: container.getPort(), backend: 'testcontainers', stop: async () => void (await container.stop()) };
  }
  const port = await freePort();
  const work = makeWorkDir('redis');
  const server = startProcess(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', work.dir, '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes', '--daemonize', 'no'],
    { cwd: work.dir, logDir: work.dir },
  );
  const url = `redis://127.0.0.1:${port}`;
  await raceExit(server, waitFor('redis-server to answer PING', async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {}); // refused connections are expected until the server listens
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  }, { timeoutMs: 15_000, intervalMs: 50 }));
  return {
    url, host: '127.0.0.1', port, backend: 'redis-server',
    async stop() {
      await server.stop();
      work.remove();
    },
  };
}
