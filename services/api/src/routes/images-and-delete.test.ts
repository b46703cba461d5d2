import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventPublisher, eventTypes, type EventData } from '@tidewater/events';
import { applicationLocationOf } from './application-delete.ts';
import { apiTestConfig, apiTestConfigYaml, startApiFixture, type ApiFixture } from '../../../../test/e2e/api-fixture.ts';

// The API test configuration plus Image Updater annotations on web-app (a good policy) and data-app (a bad constraint:
// accepted, disabled), the cascade finalizer on web-app, and an ApplicationSet that generates `listed-app`.
const yaml = `${apiTestConfigYaml
  .replace('metadata: {name: web-app, labels: {team: web, tier: frontend}}', `metadata:
  name: web-app
  labels: {team: web, tier: frontend}
  finalizers: [resources-finalizer.argocd.argoproj.io]
  annotations:
    argocd-image-updater.argoproj.io/image-list: 'web=127.0.0.1:5000/team/web:~1.2'
    argocd-image-updater.argoproj.io/write-back-method: git
    argocd-image-updater.argoproj.io/write-back-target: kustomization`)
  .replace('metadata: {name: data-app, labels: {team: data}}', `metadata:
  name: data-app
  labels: {team: data}
  annotations:
    argocd-image-updater.argoproj.io/image-list: 'etl=ghcr.io/org/etl:>=not-a-version'
    argocd-image-updater.argoproj.io/write-back-method: git`)}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: listed}
spec:
  generators: [{list: {elements: [{app: listed-app}]}}]
  template:
    metadata: {name: '{{app}}'}
    spec:
      project: data
      source: {repoURL: 'https://git.example.com/org/gitops.git', path: '{{app}}'}
      destination: {server: 'https://kubernetes.default.svc', namespace: data}
`;

describe('image policies and image updates (API, inject, real Redis)', () => {
  let fixture: ApiFixture;
  let admin: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = async (url: string, token: string) => fixture.app.inject({ method: 'GET', url, headers: as(token) });

  beforeAll(async () => {
    const config = apiTestConfig(yaml);
    fixture = await startApiFixture({ config: () => config });
    admin = await fixture.login('admin');
    const promoter = createEventPublisher({ redis: fixture.redis, source: '/tidewater/promoter' });
    const base = { policy: 'argocd:web-app:web', image: '127.0.0.1:5000/team/web' };
    await promoter.publish({ type: eventTypes.imageDiscovered, data: { app: 'web-app', ...base, tag: '1.2.4', provider: 'registry-distribution', deliveryId: 'd1' } });
    await promoter.publish({ type: eventTypes.operationRequested, data: { app: 'web-app', actor: 'admin', operation: 'sync' } });
    await promoter.publish({ type: eventTypes.imageUpdated, data: {
      app: 'web-app', ...base, oldTag: '1.2.3', newTag: '1.2.4', commit: 'c'.repeat(40), revision: 'c'.repeat(40), repo: 'https://git.example.com/org/gitops.git', branch: 'main', file: 'web/kustomization.yaml',
    } });
    await promoter.publish({ type: eventTypes.imageUpdateFailed, data: { app: 'data-app', policy: 'argocd:data-app:etl', image: 'ghcr.io/org/etl', tag: '2.0.0', reason: 'push rejected' } });
    // Another writer's broken record: counted as unreadable, never shown.
    await promoter.publish({ type: eventTypes.imageUpdated, data: { app: 'web-app', policy: 'p' } as unknown as EventData });
    await promoter.publish({ type: eventTypes.imagePinned, data: { app: 'web-app', ...base, tag: '1.2.5', cause: 'rollback', reason: 'paused after a rollback' } });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('lists the configured policies with strategy, constraint, write-back target and disabled reason; filters by app', async () => {
    const response = await get('/api/v1/images', admin);
    expect(response.statusCode, response.body).toBe(200);
    const { items } = response.json() as { items: Array<Record<string, unknown>> };
    expect(items).toEqual([
      expect.objectContaining({ id: 'argocd:web-app:web', app: 'web-app', image: '127.0.0.1:5000/team/web', strategy: 'semver', constraint: '~1.2', writeBack: { target: { kind: 'kustomization', path: 'web' } } }),
      expect.objectContaining({ id: 'argocd:data-app:etl', app: 'data-app', disabledReason: expect.stringMatching(/semver/) }),
    ]);
    expect(items[0]).not.toHaveProperty('disabledReason');
    const byApp = (await get('/api/v1/images?app=data-app', admin)).json() as { items: Array<{ id: string }> };
    expect(byApp.items.map((item) => item.id)).toEqual(['argocd:data-app:etl']);
  });

  it('shows only the policies of apps the caller may get (applications get on the app\'s project)', async () => {
    const ci = (await fixture.app.inject({ method: 'POST', url: '/api/v1/projects/web/roles/ci/token', headers: as(admin), payload: {} })).json() as { token: string };
    expect(((await get('/api/v1/images', ci.token)).json() as { items: Array<{ app: string }> }).items.map((item) => item.app)).toEqual(['web-app']);
    const nobody = await fixture.apiToken('nobody');
    expect((await get('/api/v1/images', nobody)).json()).toEqual({ items: [] });
    expect((await get('/api/v1/images/updates', nobody)).json()).toMatchObject({ items: [] });
    expect((await fixture.app.inject({ method: 'GET', url: '/api/v1/images' })).statusCode).toBe(401);
  });

  it('lists image events newest first, parsed with their schemas, with app filter and paging', async () => {
    const response = await get('/api/v1/images/updates', admin);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { items: Array<{ type: string; app: string; data: Record<string, unknown>; streamId: string }>; unreadable: number; next?: string };
    expect(body.items.map((item) => `${item.type} ${item.app}`)).toEqual([
      'dev.tidewater.image.pinned web-app', 'dev.tidewater.image.update-failed data-app', 'dev.tidewater.image.updated web-app', 'dev.tidewater.image.discovered web-app',
    ]);
    expect(body.unreadable).toBe(1);
    expect(body.items[2].data).toMatchObject({ oldTag: '1.2.3', newTag: '1.2.4', file: 'web/kustomization.yaml' });
    expect(body.next).toBeUndefined();

    const web = (await get('/api/v1/images/updates?app=web-app', admin)).json() as typeof body;
    expect(web.items.map((item) => item.type)).toEqual(['dev.tidewater.image.pinned', 'dev.tidewater.image.updated', 'dev.tidewater.image.discovered']);
    const page1 = (await get('/api/v1/images/updates?limit=2', admin)).json() as typeof body;
    expect(page1.items.map((item) => item.type)).toEqual(['dev.tidewater.image.pinned', 'dev.tidewater.image.update-failed']);
    expect(page1.next).toBe(page1.items[1].streamId);
    const page2 = (await get(`/api/v1/images/updates?limit=2&before=${page1.next}`, admin)).json() as typeof body;
    expect(page2.items.map((item) => item.type)).toEqual(['dev.tidewater.image.updated', 'dev.tidewater.image.discovered']);
    const page3 = (await get(`/api/v1/images/updates?limit=2&before=${page2.next}`, admin)).json() as typeof body;
    expect(page3.items).toEqual([]);
    expect((await get('/api/v1/images/updates?before=nope', admin)).json()).toMatchObject({ code: 400, field: 'querystring.before' });
    expect((await get('/api/v1/images/updates?before=99999999999999999999-0', admin)).json()).toMatchObject({ code: 400, field: 'querystring.before' });
    expect((await get('/api/v1/images/updates?before=0-0', admin)).json()).toEqual({ items: [], unreadable: 0 });

    const ci = (await fixture.app.inject({ method: 'POST', url: '/api/v1/projects/web/roles/ci/token', headers: as(admin), payload: {} })).json() as { token: string };
    const seen = (await get('/api/v1/images/updates', ci.token)).json() as typeof body;
    expect(new Set(seen.items.map((item) => item.app))).toEqual(new Set(['web-app']));
  });

  it('declares the routes in the OpenAPI document', async () => {
    const document = (await fixture.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    expect(document.paths['/api/v1/images']).toHaveProperty('get');
    expect(document.paths['/api/v1/images/updates']).toHaveProperty('get');
    expect(document.paths['/api/v1/applications/{name}']).toHaveProperty('delete');
  });

  it('refuses DELETE of an application with 409 naming the file and document in Git, after RBAC (403) and 404', async () => {
    const response = await fixture.app.inject({ method: 'DELETE', url: '/api/v1/applications/web-app', headers: as(admin) });
    expect(response.statusCode, response.body).toBe(409);
    const body = response.json() as { message: string; definedIn: unknown };
    expect(body.definedIn).toEqual({ file: 'api-test.yaml', documentIndex: 2 });
    expect(body.message).toContain('api-test.yaml document 2 (web-app)');
    expect(body.message).toMatch(/delete that document from Git/);
    expect(body.message).toMatch(/has the resources-finalizer\.argocd\.argoproj\.io finalizer, so its objects are pruned/);

    const data = (await fixture.app.inject({ method: 'DELETE', url: '/api/v1/applications/data-app', headers: as(admin) })).json() as { message: string };
    expect(data.message).toMatch(/has no resources-finalizer\.argocd\.argoproj\.io finalizer, so its objects stay/);

    const generated = (await fixture.app.inject({ method: 'DELETE', url: '/api/v1/applications/listed-app', headers: as(admin) })).json() as { code: number; message: string; definedIn: unknown };
    expect(generated.code).toBe(409);
    expect(generated.definedIn).toEqual({ file: 'api-test.yaml', documentIndex: 7, applicationSet: 'listed' });
    expect(generated.message).toMatch(/generated by ApplicationSet listed \(api-test\.yaml document 7 \(listed\)\)/);

    // dana (role:deployer) may sync but not delete: 403 names the permission, before any 409.
    const dana = await fixture.apiToken('dana');
    expect((await fixture.app.inject({ method: 'DELETE', url: '/api/v1/applications/web-app', headers: as(dana) })).json())
      .toMatchObject({ code: 403, message: 'permission denied: applications, delete, web/web-app' });
    expect((await fixture.app.inject({ method: 'DELETE', url: '/api/v1/applications/no-such-app', headers: as(admin) })).statusCode).toBe(404);
    // Nothing was deleted: the app is still served.
    expect((await get('/api/v1/applications/web-app', admin)).statusCode).toBe(200);
  });
});

describe('applicationLocationOf', () => {
  it('finds an Application a git generator added after the load through its ApplicationSet\'s location', () => {
    const config = apiTestConfig(yaml);
    const published = { ...config, applicationSetReports: [{ name: 'listed', evaluatedBy: 'renderer' as const, applications: ['from-git'], problems: [] }] };
    expect(applicationLocationOf(published, 'from-git')).toMatchObject({ file: 'api-test.yaml', documentIndex: 7, applicationSet: 'listed' });
    expect(applicationLocationOf(published, 'web-app')).toMatchObject({ file: 'api-test.yaml', documentIndex: 2 });
    expect(applicationLocationOf({ ...config, applicationLocations: undefined, applicationSetReports: [] }, 'web-app')).toBeUndefined();
  });
});
