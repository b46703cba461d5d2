import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

/** REDIS_URL (or a tide/service setting) that cannot be used. The message holds the redacted URL, never a password. */
export class RedisConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisConfigError';
  }
}

/**
 * The environment variables every service and the `tide` CLI read for Redis, next to `REDIS_URL`:
 * - `REDIS_PASSWORD_FILE`: a file holding the password (a mounted Secret); it wins over a password in the URL.
 * - `REDIS_USERNAME`: the ACL user when the URL names none.
 * - `REDIS_TLS_CA_FILE`: PEM CA bundle that signed the server's certificate (for `rediss://`; the system CAs otherwise).
 */
export interface RedisEnv {
  REDIS_PASSWORD_FILE?: string | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_TLS_CA_FILE?: string | undefined;
}

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`: for logs and errors. */
export function redactRedisUrl(url: string): string {
  if (!URL.canParse(url)) return '(a REDIS_URL that is not a URL)';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * ioredis options for `url` (`redis://[user[:password]@]host[:port][/db]` or `rediss://…` for TLS) plus the
 * REDIS_* files of `env`. The URL is taken apart here and never handed to ioredis, so no ioredis message can echo it.
 */
export function redisOptionsFor(url: string, env: RedisEnv = process.env): RedisOptions {
  if (!URL.canParse(url)) throw new RedisConfigError('REDIS_URL is not a URL: expected redis://[user:password@]host:port[/db] or rediss://… for TLS');
  const parsed = new URL(url);
  const redacted = redactRedisUrl(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisConfigError(`REDIS_URL ${redacted}: scheme must be redis:// or rediss:// (TLS)`);
  }
  if (parsed.search) throw new RedisConfigError(`REDIS_URL ${redacted}: query options are not supported; use REDIS_PASSWORD_FILE, REDIS_USERNAME and REDIS_TLS_CA_FILE`);
  const options: RedisOptions = { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(parsed.port || 6379) };
  const db = parsed.pathname.replace(/^\/+/, '');
  if (db) {
    if (!/^\d+$/.test(db)) throw new RedisConfigError(`REDIS_URL ${redacted}: the path must be a database number`);
    options.db = Number(db);
  }
  const username = decodeURIComponent(parsed.username) || env.REDIS_USERNAME;
  if (username) options.username = username;
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (env.REDIS_PASSWORD_FILE) options.password = readSettingFile('REDIS_PASSWORD_FILE', env.REDIS_PASSWORD_FILE);
  if (parsed.protocol === 'rediss:') {
    options.tls = {
      // SNI takes host names only; the certificate is checked against the host either way.
      ...(isIP(options.host!) ? {} : { servername: options.host }),
      ...(env.REDIS_TLS_CA_FILE ? { ca: readSettingFile('REDIS_TLS_CA_FILE', env.REDIS_TLS_CA_FILE) } : {}),
    };
  } else if (env.REDIS_TLS_CA_FILE) {
    throw new RedisConfigError(`REDIS_TLS_CA_FILE is set but REDIS_URL ${redacted} is not rediss://: TLS would not be used`);
  }
  return options;
}

function readSettingFile(variable: string, path: string): string {
  try {
    const content = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (content === '') throw new RedisConfigError(`${variable} ${path} is empty`);
    return content;
  } catch (error) {
    if (error instanceof RedisConfigError) throw error;
    throw new RedisConfigError(`${variable} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, { cause: error });
  }
}

/**
 * Redis connections as BullMQ's production guide asks: workers wait forever for Redis
 * (`maxRetriesPerRequest: null`); producers fail fast instead of queueing commands offline.
 * Authentication and TLS come from the URL and the REDIS_* variables of `env` (see RedisEnv): this is the one
 * place every service, BullMQ queue and the `tide` CLI connect through.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer', extra: RedisOptions = {}, env: RedisEnv = process.env): Redis {
  const options: RedisOptions = role === 'worker'
    ? { maxRetriesPerRequest: null, ...redisOptionsFor(url, env), ...extra }
    : { maxRetriesPerRequest: 3, enableOfflineQueue: false, ...redisOptionsFor(url, env), ...extra };
  return new Redis(options);
}
