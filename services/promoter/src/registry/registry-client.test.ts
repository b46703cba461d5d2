import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../../../../test/harness/src/index.ts';
import { createRegistryClient } from './registry-client.ts';

describe('registry v2 client', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('reads a tag\'s digest with one HEAD and lists every tag through Link pagination (real docker-registry)', async () => {
    const pushed = await registry.pushImage('team/api', 'v1.0.0');
    for (const tag of ['v1.1.0', 'v1.2.0', 'v2.0.0', 'latest']) await registry.pushImage('team/api', tag);
    const client = createRegistryClient({ pageSize: 2 });
    expect(await client.manifestDigest(`${registry.host}/team/api`, 'v1.0.0')).toBe(pushed.digest);
    expect(await client.manifestDigest(`${registry.host}/team/api`, pushed.digest)).toBe(pushed.digest);
    expect(await client.manifestDigest(`${registry.host}/team/api`, 'v9.9.9')).toBeUndefined();
    expect((await client.listTags(`${registry.host}/team/api`)).sort()).toEqual(['latest', 'v1.0.0', 'v1.1.0', 'v1.2.0', 'v2.0.0']);
    // The build time (the image config's `created`) behind minTagAgeSeconds.
    const created = await client.imageCreated(`${registry.host}/team/api`, pushed.digest);
    expect(created && Math.abs(Date.now() - created.getTime())).toBeLessThan(10 * 60_000);
  });

  it('keeps to a per-registry request budget: beyond it a request fails as retryable, before reaching the registry', async () => {
    await registry.pushImage('team/budget', 'v1');
    const client = createRegistryClient({ requestBudgetPerMinute: 2 });
    await client.manifestDigest(`${registry.host}/team/budget`, 'v1');
    await client.manifestDigest(`${registry.host}/team/budget`, 'v1');
    await expect(client.manifestDigest(`${registry.host}/team/budget`, 'v1')).rejects.toMatchObject({ name: 'ExternalServiceError', message: expect.stringMatching(/request budget of 2 per minute/) });
  });

  describe('the Bearer token flow (a registry that answers 401 with a challenge, as Docker Hub and GHCR do)', () => {
    let server: Server;
    let host: string;
    const seen: Array<{ url: string; authorization?: string }> = [];
    beforeAll(async () => {
      server = createServer((request, response) => {
        seen.push({ url: request.url ?? '', ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
        if (request.url?.startsWith('/token')) {
          const url = new URL(request.url, 'http://x');
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ token: `token-for-${url.searchParams.get('scope')}`, expires_in: 300 }));
          return;
        }
        if (request.headers.authorization !== 'Bearer token-for-repository:org/app:pull') {
          response.statusCode = 401;
          response.setHeader('www-authenticate', `Bearer realm="http://${host}/token",service="registry.test",scope="repository:org/app:pull"`);
          response.end();
          return;
        }
        response.setHeader('docker-content-digest', `sha256:${'c'.repeat(64)}`);
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fetches a token for the repository scope once and reuses it', async () => {
      const client = createRegistryClient();
      expect(await client.manifestDigest(`${host}/org/app`, 'v1')).toBe(`sha256:${'c'.repeat(64)}`);
      expect(await client.manifestDigest(`${host}/org/app`, 'v2')).toBe(`sha256:${'c'.repeat(64)}`);
      expect(seen.filter((request) => request.url.startsWith('/token'))).toHaveLength(1);
      expect(seen[1].url).toBe('/token?service=registry.test&scope=repository%3Aorg%2Fapp%3Apull');
    });
  });
});
