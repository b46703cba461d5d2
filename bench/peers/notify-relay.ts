import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NotifyRelay {
  /** `http://127.0.0.1:<port>/notify`: a registry notification endpoint. */
  url: string;
  /** Where matching notifications go from now on (undefined: answered 200 and dropped). */
  setTarget(target: string | undefined): void;
  stop(): Promise<void>;
}

/**
 * A registry notification endpoint that passes on to `target` only the envelopes naming `repository` and answers
 * every other one 200 at once. The registry starts before Flux's Receiver exists (its path comes from the Receiver),
 * and Tidewater's pushes to other repositories must not make Flux scan; the relay is one loopback hop on Flux's path.
 */
export async function startNotifyRelay(repository: string): Promise<NotifyRelay> {
  let target: string | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const events = (() => {
        try {
          return (JSON.parse(body.toString('utf8')) as { events?: Array<{ target?: { repository?: string } }> }).events ?? [];
        } catch {
          return [];
        }
      })();
      if (!target || !events.some((event) => event.target?.repository === repository)) {
        response.writeHead(200).end();
        return;
      }
      fetch(target, { method: 'POST', body, headers: { 'content-type': request.headers['content-type'] ?? 'application/json' } })
        .then(async (answer) => response.writeHead(answer.status).end(await answer.text()))
        .catch((error: Error) => response.writeHead(502).end(error.message));
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    setTarget: (next) => (target = next),
    stop: () => new Promise<void>((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    }),
  };
}
