import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes, readAllEvents, createEventPublisher } from '@tidewater/events';
import { redisKeys } from '@tidewater/queues';
import { startApiFixture, type ApiFixture } from '../../../test/e2e/api-fixture.ts';

const sha = (char: string) => char.repeat(40);

describe('operator API (createApi, inject, real Redis)', () => {
  let fixture: ApiFixture;
  let admin: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    fixture = await startApiFixture();
    admin = await fixture.login('admin');
    // What the syncer records for web-app: two syncs, health, drift, a bundle.
    const { redis } = fixture;
    const bundleKey = redisKeys.bundle('web-app-k1');
    await redis.set(bundleKey, JSON.stringify({
      app: 'web-app', repoURL: 'https://git.example.com/org/gitops.git', revision: sha('b'), path: 'web', renderedAt: 't', renderer: 'kustomize',
      objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'web' }, spec: { replicas: 2 } }],
    }));
    await redis.set(redisKeys.syncStatus('web-app'), JSON.stringify({
      app: 'web-app', revision: sha('b'), phase: 'Succeeded', startedAt: 's', finishedAt: '2030-01-01T00:00:02Z', durationMs: 5,
      objects: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web', outcome: 'configured' }], trigger: { kind: 'webhook', actor: 'Dana' },
    }));
    await redis.set(redisKeys.appHealth('web-app'), JSON.stringify({
      app: 'web-app', status: 'Healthy', objects: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web', status: 'Healthy' }], updatedAt: '2030-01-01T00:00:03Z',
    }));
    await redis.set(redisKeys.appDrift('web-app'), JSON.stringify({ app: 'web-app', revision: sha('b'), outOfSync: false, objects: [], detectedAt: 't' }));
    await redis.rpush(redisKeys.history('web-app'),
      JSON.stringify({ id: 2, app: 'web-app', revision: sha('b'), phase: 'Succeeded', startedAt: 's2', finishedAt: 'f2', durationMs: 5, trigger: { kind: 'webhook', actor: 'Dana' }, bundleKey }),
      JSON.stringify({ id: 1, app: 'web-app', revision: sha('a'), phase: 'Succeeded', startedAt: 's1', finishedAt: 'f1', durationMs: 5, trigger: { kind: 'manual', actor: 'alice' } }));
    // A record another writer broke: reported as a condition, never trusted.
    await redis.set(redisKeys.appHealth('web-api'), JSON.stringify({ app: 'web-api', status: 'Sparkling' }));
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('serves a valid OpenAPI 3 document and a docs page', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(document) as never);
    for (const path of ['/api/v1/applications', '/api/v1/applications/{name}', '/api/v1/applications/{name}/sync', '/api/v1/applications/{name}/rollback',
      '/api/v1/applications/{name}/operation', '/api/v1/applications/{name}/resource-tree', '/api/v1/applications/{name}/managed-resources',
      '/api/v1/applications/{name}/server-side-diff', '/api/v1/applications/{name}/manifests', '/api/v1/applications/{name}/revisions/{revision}/metadata',
      '/api/v1/applications/{name}/history', '/api/v1/stream/applications', '/api/v1/session', '/api/v1/projects/{project}/roles/{role}/token']) {
      expect(document.paths, path).toHaveProperty([path]);
    }
    const docs = await fixture.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('lists applications in Argo CD\'s shape, with project, selector and paging', async () => {
    const list = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications', headers: as(admin) });
    expect(list.statusCode).toBe(200);
    const body = list.json() as { items: Array<{ metadata: { name: string }; status: { sync: { status: string; revision?: string }; health: { status: string }; conditions: unknown[] } }> };
    expect(body.items.map((item) => item.metadata.name)).toEqual(['web-app', 'web-api', 'data-app']);
    expect(body.items[0].status).toMatchObject({ sync: { status: 'Synced', revision: sha('b') }, health: { status: 'Healthy' } });
    expect(body.items[1].status.conditions).toEqual([{ type: 'UnreadableState', message: expect.stringMatching(/^tidewater:app:web-api:health: /) }]);

    const byProject = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications?project=data', headers: as(admin) });
    expect((byProject.json() as typeof body).items.map((item) => item.metadata.name)).toEqual(['data-app']);
    const bySelector = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications?selector=team%3Dweb,tier!%3Dbackend', headers: as(admin) });
    expect((bySelector.json() as typeof body).items.map((item) => item.metadata.name)).toEqual(['web-app']);
    const page1 = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications?limit=2', headers: as(admin) });
    expect(page1.json()).toMatchObject({ metadata: { continue: '2', remainingItemCount: 1 } });
    const page2 = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications?limit=2&continue=2', headers: as(admin) });
    expect((page2.json() as typeof body).items.map((item) => item.metadata.name)).toEqual(['data-app']);
    const badSelector = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications?selector=a%20in%20b', headers: as(admin) });
    expect(badSelector.statusCode).toBe(400);
    expect(badSelector.json()).toMatchObject({ field: 'querystring.selector' });
  });

  it('gets one application with history, resources, manifests and revision metadata', async () => {
    const app = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app', headers: as(admin) });
    expect(app.statusCode).toBe(200);
    expect(app.json()).toMatchObject({
      spec: { project: 'web' },
      status: {
        history: [{ id: 1, revision: sha('a'), initiatedBy: { username: 'alice', automated: false } }, { id: 2, revision: sha('b'), initiatedBy: { automated: true } }],
        resources: [{ group: 'apps', kind: 'Deployment', name: 'web', status: 'Synced', health: { status: 'Healthy' } }],
      },
    });
    const manifests = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app/manifests', headers: as(admin) });
    expect(manifests.json()).toMatchObject({ revision: sha('b'), sourceType: 'kustomize' });
    expect(JSON.parse((manifests.json() as { manifests: string[] }).manifests[0])).toMatchObject({ kind: 'Deployment', spec: { replicas: 2 } });
    const old = await fixture.app.inject({ method: 'GET', url: `/api/v1/applications/web-app/manifests?revision=${sha('a')}`, headers: as(admin) });
    expect(old.statusCode).toBe(404);
    expect(old.json()).toMatchObject({ message: expect.stringContaining('bundle expired') });
    const tree = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app/resource-tree', headers: as(admin) });
    expect(tree.json()).toMatchObject({ nodes: [{ kind: 'Deployment', health: { status: 'Healthy' } }] });
    const managed = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app/managed-resources', headers: as(admin) });
    expect(managed.json()).toMatchObject({ items: [{ kind: 'Deployment', status: 'Synced', targetState: expect.stringContaining('"replicas":2') }] });
    const history = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app/history', headers: as(admin) });
    expect((history.json() as { history: Array<{ id: number }> }).history.map((entry) => entry.id)).toEqual([2, 1]);
    const metadata = await fixture.app.inject({ method: 'GET', url: `/api/v1/applications/web-app/revisions/${sha('a').slice(0, 8)}/metadata`, headers: as(admin) });
    expect(metadata.json()).toMatchObject({ revision: sha('a'), syncs: [{ id: 1 }] });
    const unknown = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/no-such-app', headers: as(admin) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ message: 'application no-such-app not found' });
  });

  it('queues a sync as the ControlJob contract defines it, with the caller as actor, and audits it', async () => {
    const response = await fixture.app.inject({
      method: 'POST', url: '/api/v1/applications/web-app/sync', headers: as(admin),
      payload: { revision: 'main', prune: true, dryRun: true, resources: [{ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'web' }, ':ConfigMap:settings'], syncOptions: { items: ['ServerSideApply=true'] }, strategy: { apply: { force: true } } },
    });
    expect(response.statusCode).toBe(200);
    await expect.poll(() => fixture.controlJobs.find((job) => job.kind === 'sync')).toEqual({
      kind: 'sync', app: 'web-app', revision: 'main', prune: true, dryRun: true, force: true,
      resources: ['apps:Deployment:web/web', ':ConfigMap:settings'], syncOptions: ['ServerSideApply=true'], actor: 'admin', trace: {},
    });
    await expect.poll(async () => {
      const app = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app', headers: as(admin) });
      return (app.json() as { status: { operationState?: { phase: string } } }).status.operationState;
    }).toMatchObject({ phase: 'Succeeded', operation: { kind: 'sync', initiatedBy: { username: 'admin' } } });
    const requested = (await readAllEvents(fixture.redis)).filter((event) => event.type === eventTypes.operationRequested);
    expect(requested.at(-1)?.data).toMatchObject({ app: 'web-app', actor: 'admin', operation: 'sync', revision: 'main' });
  });

  it('answers malformed bodies with 400 naming the field, and rollback by history id', async () => {
    const bad = await fixture.app.inject({ method: 'POST', url: '/api/v1/applications/web-app/sync', headers: as(admin), payload: { prune: 'yes' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'body.prune' });
    const extra = await fixture.app.inject({ method: 'POST', url: '/api/v1/applications/web-app/sync', headers: as(admin), payload: { retryStrategy: { limit: 2 } } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({ message: expect.stringContaining('retryStrategy') });
    const unknownId = await fixture.app.inject({ method: 'POST', url: '/api/v1/applications/web-app/rollback', headers: as(admin), payload: { id: 9 } });
    expect(unknownId.statusCode).toBe(404);
    const rollback = await fixture.app.inject({ method: 'POST', url: '/api/v1/applications/web-app/rollback', headers: as(admin), payload: { id: 1 } });
    expect(rollback.statusCode).toBe(200);
    await expect.poll(() => fixture.controlJobs.find((job) => job.kind === 'rollback')).toEqual({ kind: 'rollback', app: 'web-app', revision: sha('a'), actor: 'admin', trace: {} });
  });

  it('terminates and diffs through the control queue', async () => {
    const terminate = await fixture.app.inject({ method: 'DELETE', url: '/api/v1/applications/web-app/operation', headers: as(admin) });
    expect(terminate.statusCode).toBe(200);
    expect(fixture.controlJobs.find((job) => job.kind === 'terminate')).toEqual({ kind: 'terminate', app: 'web-app', actor: 'admin', trace: {} });
    const diff = await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app/server-side-diff', headers: as(admin) });
    expect(diff.json()).toMatchObject({ app: 'web-app', modified: false, objects: [] });
  });

  it('streams application changes as Server-Sent Events from the events stream', async () => {
    await fixture.app.listen({ port: 0, host: '127.0.0.1' });
    const address = fixture.app.server.address() as { port: number };
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${address.port}/api/v1/stream/applications?name=web-app`, { headers: as(admin), signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/event: ADDED\ndata: .*"name":"web-app"/);
    const publisher = createEventPublisher({ redis: fixture.redis, source: '/tidewater/syncer' });
    // The fan-out reads from "now": publish until the stream delivers (its reader starts with the first subscriber).
    const timer = setInterval(() => void publisher.publish({ type: eventTypes.healthChanged, data: { app: 'web-app', health: 'Healthy' } }), 200);
    try {
      await readUntil(/event: MODIFIED\ndata: \{"type":"MODIFIED","application":\{.*"name":"web-app"/);
    } finally {
      clearInterval(timer);
      controller.abort();
    }
  });
});
