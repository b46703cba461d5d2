import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, waitFor, type TestRegistry } from '../harness/src/index.ts';
import { startNotifyRelay, type NotifyRelay } from '../../bench/peers/notify-relay.ts';

// The image benchmark's second registry endpoint (bench/peers): the real docker-registry notifies both its first
// endpoint and the relay, which passes on to Flux's Receiver only the pushes of Flux's own image repository.
describe('registry notifications relayed to a peer', () => {
  let relay: NotifyRelay;
  let registry: TestRegistry;
  let first: Server;
  let peer: Server;
  const firstBodies: string[] = [];
  const peerBodies: string[] = [];
  const listen = async (bodies: string[]) => {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push(body);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    return server;
  };
  const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  beforeAll(async () => {
    first = await listen(firstBodies);
    peer = await listen(peerBodies);
    relay = await startNotifyRelay('bench/flux-app');
    registry = await startRegistry({ notifyUrl: urlOf(first), extraNotifyEndpoints: [{ name: 'flux', url: relay.url }] });
  });
  afterAll(async () => {
    await registry.stop();
    await relay.stop();
    for (const server of [first, peer]) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('drops everything before a target is set, then passes on only the named repository', async () => {
    await registry.pushImage('bench/flux-app', 'v0.1.0');
    await waitFor('the first endpoint to hear of v0.1.0', () => firstBodies.some((body) => body.includes('"v0.1.0"')), { timeoutMs: 20_000, intervalMs: 50 });
    relay.setTarget(urlOf(peer));
    await registry.pushImage('bench/other-app', 'v0.2.0');
    await registry.pushImage('bench/flux-app', 'v0.3.0');
    await waitFor('the peer to hear of v0.3.0', () => peerBodies.some((body) => body.includes('"v0.3.0"')), { timeoutMs: 20_000, intervalMs: 50 });
    await waitFor('the first endpoint to hear of all three', () => ['v0.2.0', 'v0.3.0'].every((tag) => firstBodies.some((body) => body.includes(`"${tag}"`))), { timeoutMs: 20_000, intervalMs: 50 });
    expect(peerBodies.some((body) => body.includes('"v0.1.0"') || body.includes('bench/other-app'))).toBe(false);
  });
});
