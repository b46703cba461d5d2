import { Redis } from 'ioredis';
import { freePort, makeWorkDir, raceExit, startProcess, waitFor, type ManagedProcess } from '../../harness/src/index.ts';

/** A redis-server as the chart runs it (AOF on, noeviction) that a test can kill -9 and start again on the same port and data. */
export interface DurableRedis {
  url: string;
  port: number;
  dir: string;
  /** kill -9: no shutdown save; only what the append-only file holds survives. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory (it replays the AOF) and waits for PING. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDurableRedis(): Promise<DurableRedis> {
  const port = await freePort();
  const work = makeWorkDir('redis-aof');
  const url = `redis://127.0.0.1:${port}`;
  let server: ManagedProcess | undefined;

  async function start() {
    server = startProcess('redis-server', 'redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', work.dir, '--save', '', '--appendonly', 'yes',
      '--maxmemory', '256mb', '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes', '--daemonize', 'no',
    ], { cwd: work.dir, logDir: work.dir });
    await raceExit(server, waitFor('redis-server to answer PING', async () => {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => {}); // refused until it listens; LOADING while it replays the AOF
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    }, { timeoutMs: 30_000, intervalMs: 50 }));
  }

  await start();
  return {
    url, port, dir: work.dir, start,
    async kill() {
      if (!server) return;
      server.kill('SIGKILL');
      await server.exited;
      server = undefined;
    },
    async stop() {
      await server?.stop();
      work.remove();
    },
  };
}
