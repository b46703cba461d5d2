import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, waitFor, type TestRegistry } from '../src/index.ts';

interface Received { headers: IncomingMessage['headers']; body: { events: Array<{ action: string; target: { repository: string; tag?: string; digest: string; mediaType: string } }> } }

describe('startRegistry', () => {
  const received: Received[] = [];
  const listener = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  let registry: TestRegistry;

  beforeAll(async () => {
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const { port } = listener.address() as AddressInfo;
    registry = await startRegistry({ notifyUrl: `http://127.0.0.1:${port}/hook`, notifyHeaders: { Authorization: 'Bearer test-secret' } });
  });
  afterAll(async () => {
    await registry?.stop();
    listener.close();
  });

  it('pushes an image without Docker and notifies the listener of the tagged manifest', async () => {
    const pushed = await registry.pushImage('org/web-app', 'v1.1.0');
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registry.listTags('org/web-app')).toEqual(['v1.1.0']);
    const event = await waitFor('the push notification', () => received
      .flatMap((r) => r.body.events.map((e) => ({ e, headers: r.headers })))
      .find(({ e }) => e.action === 'push' && e.target.tag === 'v1.1.0'));
    expect(event.e.target).toMatchObject({ repository: 'org/web-app', digest: pushed.digest, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    expect(event.headers['content-type']).toBe('application/vnd.docker.distribution.events.v1+json');
    expect(event.headers.authorization).toBe('Bearer test-secret');
  });
});
