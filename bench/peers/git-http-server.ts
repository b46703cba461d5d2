import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`; a repository `<name>` of the git server is at `${baseUrl}/<name>.git`. */
  baseUrl: string;
  urlOf(repoName: string): string;
  stop(): Promise<void>;
}

/**
 * Git's smart HTTP protocol (`git http-backend` as CGI) over the harness git server's bare repositories: Flux's
 * GitRepository accepts only http(s) and ssh URLs, the harness serves git://. Same repositories, same pushes (and
 * post-receive hooks). Clone and fetch only unless `allowPush` (anonymous receive-pack, for Flux's
 * image-automation-controller, whose pushes run the repository's post-receive hook like any other).
 */
export async function startGitHttpServer(rootDir: string, options: { allowPush?: boolean } = {}): Promise<GitHttpServer> {
  const server = createServer((request, response) => serveCgi(rootDir, request, response, options.allowPush ?? false));
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    urlOf: (repoName) => `${baseUrl}/${repoName}.git`,
    stop: () => new Promise<void>((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    }),
  };
}

function serveCgi(rootDir: string, request: IncomingMessage, response: ServerResponse, allowPush: boolean): void {
  const url = new URL(request.url ?? '/', 'http://git.local');
  if (!allowPush && (url.searchParams.get('service') === 'git-receive-pack' || url.pathname.endsWith('/git-receive-pack'))) {
    response.writeHead(403).end('push over HTTP is off: push through the harness git server');
    return;
  }
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, GIT_PROJECT_ROOT: rootDir, GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname), QUERY_STRING: url.search.slice(1), REQUEST_METHOD: request.method ?? 'GET',
      CONTENT_TYPE: request.headers['content-type'] ?? '', REMOTE_ADDR: request.socket.remoteAddress ?? '',
      ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(request.headers['content-encoding']) } : {}),
      // http-backend refuses anonymous receive-pack unless http.receivepack is set.
      ...(allowPush ? { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.receivepack', GIT_CONFIG_VALUE_0: 'true' } : {}),
      ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  request.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/).filter(Boolean)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    headersSent = true;
    response.write(head.subarray(end));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('close', (code) => {
    if (!headersSent) response.writeHead(500).end(`git http-backend exited ${code}: ${stderr.slice(0, 500)}`);
    else response.end();
  });
  child.on('error', (error) => {
    if (!headersSent) response.writeHead(500).end(`git http-backend: ${error.message}`);
  });
}
