import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@tidewater/queues';
import { startApiFixture, type ApiFixture } from '../../../../test/e2e/api-fixture.ts';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';

describe('the web UI served by the api (SPA fallback, API never shadowed) and the routes the UI added', () => {
  let fixture: ApiFixture;
  let admin: string;
  const work = makeWorkDir('ui-dist');
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    mkdirSync(join(work.dir, 'assets'));
    writeFileSync(join(work.dir, 'index.html'), '<!doctype html><title>Tidewater</title><div id="root"></div>');
    writeFileSync(join(work.dir, 'assets', 'index-abc123.js'), 'console.log("ui")');
    writeFileSync(join(work.dir, '..', 'outside-secret.txt'), 'not to be served');
    fixture = await startApiFixture({ deps: { uiDir: work.dir } });
    admin = await fixture.login('admin');
    const health = (app: string, status: string) => fixture.redis.set(redisKeys.appHealth(app), JSON.stringify({ app, status, objects: [], updatedAt: '2030-01-01T00:00:00Z' }));
    await Promise.all([health('web-app', 'Healthy'), health('web-api', 'Degraded'), health('data-app', 'Healthy')]);
  });
  afterAll(async () => {
    await fixture?.close();
    work.remove();
  });

  it('serves index.html at / and for any page path, with a CSP that forbids inline scripts and framing', async () => {
    for (const url of ['/', '/applications', '/applications/web-app?tab=history', '/login?return=%2Faudit']) {
      const response = await fixture.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.body).toContain('<div id="root">');
      expect(response.headers['content-security-policy']).toMatch(/script-src 'self';/);
      expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves hashed assets with a long cache, and nothing outside the UI directory', async () => {
    const asset = await fixture.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.body).toContain('console.log');
    for (const url of ['/../outside-secret.txt', '/assets/..%2F..%2Foutside-secret.txt', '/%2e%2e/outside-secret.txt', '/assets/%00.js']) {
      const response = await fixture.app.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('not to be served');
    }
  });

  it('never shadows the API: unknown API paths answer the API\'s JSON 404, API routes still authenticate', async () => {
    for (const url of ['/api/v1/nothing-here', '/api/nope', '/auth/unknown']) {
      const response = await fixture.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ error: 'NotFound', code: 404 });
    }
    expect((await fixture.app.inject({ method: 'GET', url: '/api/v1/applications' })).statusCode).toBe(401);
    expect((await fixture.app.inject({ method: 'GET', url: '/api/openapi.json' })).json()).toHaveProperty('openapi');
    expect((await fixture.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('answers GET /api/v1/settings without a login, naming no secret (SSO not configured here)', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/api/v1/settings' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
  });

  it('filters the application list by search, health and sync on the server, before paging', async () => {
    const names = async (query: string) => ((await fixture.app.inject({ method: 'GET', url: `/api/v1/applications?${query}`, headers: as(admin) })).json() as { items: Array<{ metadata: { name: string } }> })
      .items.map((item) => item.metadata.name).sort();
    expect(await names('search=WEB')).toEqual(['web-api', 'web-app']);
    expect(await names('health=Degraded')).toEqual(['web-api']);
    expect(await names('health=Healthy&health=Degraded&search=app')).toEqual(['data-app', 'web-app']);
    expect(await names('sync=Synced')).toEqual([]);
    const page = (await fixture.app.inject({ method: 'GET', url: '/api/v1/applications?health=Healthy&limit=1', headers: as(admin) })).json() as { items: unknown[]; metadata: { remainingItemCount?: number } };
    expect(page.items).toHaveLength(1);
    expect(page.metadata.remainingItemCount).toBe(1);
  });

  it('is not served when the UI is not built (the API alone keeps its 404 for other paths)', async () => {
    const bare = await startApiFixture({ deps: { uiDir: join(work.dir, 'missing') } });
    try {
      const response = await bare.app.inject({ method: 'GET', url: '/applications' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'NotFound' });
    } finally {
      await bare.close();
    }
  });
});
