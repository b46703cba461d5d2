import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the sink received. */
export interface SinkRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** A scripted answer: status, headers and body; `hang` never answers. */
export interface SinkAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
}

export interface SlackSink {
  url: string;
  requests: SinkRequest[];
  /** Requests to one path, in order. */
  to(path: string): SinkRequest[];
  /** The next requests to `path` get these answers, in order; afterwards the default answer again. */
  script(path: string, answers: SinkAnswer[]): void;
  /** Every request to `path` gets this answer. */
  always(path: string, answer: SinkAnswer): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server that answers like Slack: `ok` for incoming webhooks, `{"ok":true}` for
 * `/api/chat.postMessage` (with a Bearer token), and whatever a test scripts (429 with Retry-After, 404, a hang).
 */
export async function startSlackSink(): Promise<SlackSink> {
  const requests: SinkRequest[] = [];
  const scripted = new Map<string, SinkAnswer[]>();
  const fixed = new Map<string, SinkAnswer>();
  const sockets = new Set<Socket>();

  function defaultAnswer(path: string, headers: IncomingHttpHeaders): SinkAnswer {
    if (path.endsWith('/chat.postMessage')) {
      const authorized = /^Bearer \S+$/.test(headers.authorization ?? '');
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(authorized ? { ok: true, ts: '1.0' } : { ok: false, error: 'not_authed' }) };
    }
    return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
  }

  function answer(response: ServerResponse, reply: SinkAnswer) {
    if (reply.hang) return;
    response.writeHead(reply.status ?? 200, reply.headers ?? {});
    response.end(reply.body ?? '');
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://sink').pathname;
      requests.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      const queue = scripted.get(path);
      const reply = queue?.shift() ?? fixed.get(path) ?? defaultAnswer(path, request.headers);
      answer(response, reply);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (path) => requests.filter((request) => request.path === path),
    script: (path, answers) => scripted.set(path, [...answers]),
    always: (path, reply) => void fixed.set(path, reply),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
