import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
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
  /** With `tls`: the PEM file of the CA that signed the server's certificate (REDIS_TLS_CA_FILE). */
  caFile?: string;
  stop(): Promise<void>;
}

/** A locked Redis, as production runs it (always a local redis-server, never REDIS_URL or a container). */
export interface SecureRedisOptions {
  /** `requirepass`: the default user's password; the URL carries it (`redis://:password@…`). */
  password?: string;
  /** An ACL user with every right; the default user is switched off. The URL carries it (`redis://user:password@…`). */
  user?: { name: string; password: string };
  /** TLS only (`--port 0 --tls-port …`) with a CA and server certificate made by openssl; the URL is `rediss://`. */
  tls?: boolean;
}

/**
 * A real Redis: `REDIS_URL` when set, a testcontainers Redis when a Docker engine answers, else a
 * redis-server on a free loopback port with its own directory (noeviction, as BullMQ requires).
 */
export async function startRedis(secure: SecureRedisOptions = {}): Promise<RedisInstance> {
  if (secure.password || secure.user || secure.tls) return startSecureRedis(secure);
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

async function startSecureRedis(secure: SecureRedisOptions): Promise<RedisInstance> {
  const port = await freePort();
  const work = makeWorkDir('redis-secure');
  // Secrets go into a config file, not the command line (where `ps` would show them).
  const lines = [
    'bind 127.0.0.1', `dir ${work.dir}`, 'save ""', 'appendonly no', 'maxmemory-policy noeviction', 'protected-mode yes', 'daemonize no',
  ];
  if (secure.password) lines.push(`requirepass ${secure.password}`);
  if (secure.user) lines.push('user default off', `user ${secure.user.name} on >${secure.user.password} ~* &* +@all`);
  let caFile: string | undefined;
  if (secure.tls) {
    const certs = makeTestCertificates(work.dir);
    caFile = certs.caFile;
    lines.push('port 0', `tls-port ${port}`, `tls-cert-file ${certs.certFile}`, `tls-key-file ${certs.keyFile}`, `tls-ca-cert-file ${certs.caFile}`, 'tls-auth-clients no');
  } else {
    lines.push(`port ${port}`);
  }
  const configFile = join(work.dir, 'redis.conf');
  writeFileSync(configFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  const server = startProcess('redis-server', 'redis-server', [configFile], { cwd: work.dir, logDir: work.dir });
  const credentials = secure.user
    ? `${encodeURIComponent(secure.user.name)}:${encodeURIComponent(secure.user.password)}@`
    : secure.password ? `:${encodeURIComponent(secure.password)}@` : '';
  const url = `${secure.tls ? 'rediss' : 'redis'}://${credentials}127.0.0.1:${port}`;
  const probeOptions: RedisOptions = {
    host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
    ...(secure.user ? { username: secure.user.name, password: secure.user.password } : secure.password ? { password: secure.password } : {}),
    ...(caFile ? { tls: { ca: readFileSync(caFile, 'utf8') } } : {}),
  };
  await raceExit(server, waitFor('redis-server (secured) to answer PING', async () => {
    const client = new Redis(probeOptions);
    client.on('error', () => {}); // refused connections are expected until the server listens
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  }, { timeoutMs: 15_000, intervalMs: 50 }));
  return {
    url, host: '127.0.0.1', port, backend: 'redis-server', ...(caFile ? { caFile } : {}),
    async stop() {
      await server.stop();
      work.remove();
    },
  };
}

/** A throw-away CA and a server certificate for 127.0.0.1 / localhost, valid for a day. */
function makeTestCertificates(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const path = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ecKey, '-keyout', path('ca.key'), '-out', path('ca.crt'), '-days', '1', '-subj', '/CN=tidewater-test-ca']);
  openssl(['req', ...ecKey, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', path('server.csr'), '-CA', path('ca.crt'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-out', path('server.crt'), '-days', '1', '-extfile', path('server.ext')]);
  return { caFile: path('ca.crt'), certFile: path('server.crt'), keyFile: path('server.key') };
}
