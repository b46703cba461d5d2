import { spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/** One request a recording server received. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** The Authorization header, verbatim (undefined when absent). */
  authorization?: string;
}

export interface RecordingHttpServer {
  /** `http://127.0.0.1:<port>` or `https://<host>:<port>`. */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;

export interface TlsMaterial {
  /** PEM of the self-signed certificate (also the CA to trust). */
  cert: string;
  key: string;
  /** Path of the certificate file, for git's http.sslCAInfo. */
  certFile: string;
}

/** A self-signed certificate for localhost and 127.0.0.1, made with the system's openssl. */
export function selfSignedCertificate(dir: string): TlsMaterial {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const result = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
}

/**
 * An HTTP(S) server on 127.0.0.1 that records every request's method, URL and Authorization header, then hands
 * it to `handle` (default: 404). Used to prove a credential was, or was not, sent somewhere.
 */
export async function startRecordingHttpServer(options: { tls?: TlsMaterial; host?: string; handle?: RequestHandler } = {}): Promise<RecordingHttpServer> {
  const requests: RecordedRequest[] = [];
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (options.handle) options.handle(request, response, Buffer.concat(chunks));
      else response.writeHead(404).end('not found');
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createHttpServer(listener);
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    requests,
    stop: () => new Promise<void>((resolveClose) => { server.closeAllConnections(); server.close(() => resolveClose()); }),
  };
}

/** A request handler that serves the bare repositories under `projectRoot` with git's own smart HTTP (git http-backend). */
export function gitHttpBackend(projectRoot: string): RequestHandler {
  return (request, response, body) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_PROJECT_ROOT: projectRoot, GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: request.method ?? 'GET', PATH_INFO: decodeURIComponent(url.pathname), QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '', CONTENT_LENGTH: String(body.length),
        GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''), REMOTE_ADDR: '127.0.0.1',
      },
    });
    const out: Buffer[] = [];
    cgi.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    cgi.on('close', () => {
      const raw = Buffer.concat(out);
      const split = raw.indexOf('\r\n\r\n');
      const headerText = raw.subarray(0, split).toString('utf8');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else if (name) headers[name] = value;
      }
      response.writeHead(status, headers).end(raw.subarray(split + 4));
    });
    cgi.stdin.end(body);
  };
}

export interface RecordingGitProxy {
  /** `git://127.0.0.1:<port>`: clone URLs through the proxy. */
  baseUrl: string;
  /** Repository paths asked for (from each connection's first pkt-line), in order. */
  requests: string[];
  stop(): Promise<void>;
}

/** A TCP proxy in front of a git daemon that records which repository every git:// connection asked for. */
export async function startRecordingGitProxy(daemonBaseUrl: string): Promise<RecordingGitProxy> {
  const target = new URL(daemonBaseUrl);
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    sockets.add(client);
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    let first = true;
    client.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        // pkt-line: 4 hex length, then `git-upload-pack /path\0host=…\0`.
        const line = chunk.subarray(4).toString('latin1');
        requests.push(line.split('\0')[0]);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `git://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolveClose) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolveClose());
    }),
  };
}
