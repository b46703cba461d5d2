import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventPublisher, eventTypes } from '@tidewater/events';
import { apiTestConfig, apiTestConfigYaml, startApiFixture, type ApiFixture } from '../../../../test/e2e/api-fixture.ts';

// Image Updater annotations on web-app and data-app, for the image routes.
const matrixConfig = apiTestConfig(apiTestConfigYaml
  .replace('labels: {team: web, tier: frontend}}', "labels: {team: web, tier: frontend}, annotations: {argocd-image-updater.argoproj.io/image-list: 'web=ghcr.io/org/web'}}")
  .replace('labels: {team: data}}', "labels: {team: data}, annotations: {argocd-image-updater.argoproj.io/image-list: 'etl=ghcr.io/org/etl'}}"));

// Every caller × every action, through HTTP (inject) against real Redis, with the policy of test/e2e/api-fixture.ts:
// built-in roles, a custom deployer role with a deny on project data, an approver, group bindings and project roles.
type Caller = 'admin' | 'alice' | 'dana' | 'erin' | 'vic' | 'nobody' | 'web-oncall-bot' | 'proj:web:deployer' | 'proj:web:ci';
const callers: Caller[] = ['admin', 'alice', 'dana', 'erin', 'vic', 'nobody', 'web-oncall-bot', 'proj:web:deployer', 'proj:web:ci'];

interface Action {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  payload?: object;
  /** The permission a 403 names. */
  permission: string;
  /** Answered through can-i (routes for pipelines and approvals come with their services). */
  canI?: boolean;
  allowed: Caller[];
}

const everyone: Caller[] = ['admin', 'alice', 'dana', 'erin', 'vic', 'web-oncall-bot', 'proj:web:deployer', 'proj:web:ci'];
const webDeployers: Caller[] = ['admin', 'alice', 'dana', 'web-oncall-bot', 'proj:web:deployer'];
const actions: Action[] = [
  { name: 'get web-app', method: 'GET', url: '/api/v1/applications/web-app', permission: 'applications, get, web/web-app', allowed: everyone },
  { name: 'get data-app', method: 'GET', url: '/api/v1/applications/data-app', permission: 'applications, get, data/data-app', allowed: ['admin', 'alice', 'dana', 'erin', 'vic'] },
  { name: 'diff web-app', method: 'GET', url: '/api/v1/applications/web-app/server-side-diff', permission: 'applications, get, web/web-app', allowed: everyone },
  { name: 'sync web-app', method: 'POST', url: '/api/v1/applications/web-app/sync', payload: { dryRun: true }, permission: 'applications, sync, web/web-app', allowed: webDeployers },
  { name: 'sync data-app (deny wins for dana)', method: 'POST', url: '/api/v1/applications/data-app/sync', payload: {}, permission: 'applications, sync, data/data-app', allowed: ['admin', 'alice'] },
  { name: 'rollback web-app', method: 'POST', url: '/api/v1/applications/web-app/rollback', payload: { id: 0 }, permission: 'applications, rollback, web/web-app', allowed: webDeployers },
  { name: 'terminate web-app', method: 'DELETE', url: '/api/v1/applications/web-app/operation', permission: 'applications, sync, web/web-app', allowed: webDeployers },
  { name: 'delete web-app (always 409 when allowed: defined in Git)', method: 'DELETE', url: '/api/v1/applications/web-app', permission: 'applications, delete, web/web-app', allowed: ['admin', 'alice'] },
  { name: 'delete data-app', method: 'DELETE', url: '/api/v1/applications/data-app', permission: 'applications, delete, data/data-app', allowed: ['admin', 'alice'] },
  { name: 'audit get', method: 'GET', url: '/api/v1/audit/events', permission: 'audit, get, *', allowed: ['admin', 'alice', 'vic'] },
  { name: 'projects update web', method: 'POST', url: '/api/v1/projects/web/roles/ci/token', payload: { expiresIn: 60 }, permission: 'projects, update, web', allowed: ['admin', 'alice'] },
  { name: 'accounts get', method: 'GET', url: '/api/v1/account', permission: 'accounts, get, *', allowed: ['admin', 'alice', 'vic'] },
  { name: 'approvals approve', method: 'GET', url: '/api/v1/account/can-i/approvals/approve/web%2Fweb-app', permission: '', canI: true, allowed: ['admin', 'alice', 'erin'] },
  { name: 'pipelines promote', method: 'GET', url: '/api/v1/account/can-i/pipelines/promote/web%2Fweb-app', permission: '', canI: true, allowed: ['admin', 'alice'] },
  { name: 'logs get', method: 'GET', url: '/api/v1/account/can-i/logs/get/web%2Fweb-app', permission: '', canI: true, allowed: ['admin', 'alice', 'vic'] },
];

describe('RBAC matrix: every caller × every action through HTTP', () => {
  let fixture: ApiFixture;
  const tokens = new Map<Caller, string>();

  beforeAll(async () => {
    fixture = await startApiFixture({ config: () => matrixConfig });
    tokens.set('admin', await fixture.login('admin'));
    for (const account of ['alice', 'dana', 'erin', 'vic', 'nobody', 'web-oncall-bot'] as const) tokens.set(account, await fixture.apiToken(account));
    for (const role of ['deployer', 'ci']) {
      const response = await fixture.app.inject({ method: 'POST', url: `/api/v1/projects/web/roles/${role}/token`, headers: { authorization: `Bearer ${tokens.get('admin')}` }, payload: {} });
      expect(response.statusCode).toBe(200);
      tokens.set(`proj:web:${role}` as Caller, (response.json() as { token: string }).token);
    }
  });
  afterAll(async () => {
    await fixture?.close();
  });

  for (const action of actions) {
    it(action.name, async () => {
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const caller of callers) {
        const syncsBefore = fixture.controlJobs.length;
        const response = await fixture.app.inject({ method: action.method, url: action.url, headers: { authorization: `Bearer ${tokens.get(caller)}` }, ...(action.payload ? { payload: action.payload } : {}) });
        const allowed = action.canI ? (response.json() as { value: string }).value === 'yes' : response.statusCode !== 403;
        outcomes[caller] = allowed ? 'allowed' : 'denied';
        expected[caller] = action.allowed.includes(caller) ? 'allowed' : 'denied';
        if (action.canI) {
          expect(response.statusCode, `${caller}: ${response.body}`).toBe(200);
          continue;
        }
        expect(action.method === 'DELETE' && !action.url.endsWith('/operation') ? [409, 403] : [200, 403, 503], `${caller}: ${response.body}`).toContain(response.statusCode);
        if (!allowed) {
          expect(response.json()).toMatchObject({ code: 403, message: `permission denied: ${action.permission}` });
          // Refused before anything is queued.
          expect(fixture.controlJobs.length).toBe(syncsBefore);
        }
      }
      expect(outcomes).toEqual(expected);
    });
  }

  it('image policies and image updates: only of the applications each caller may get', async () => {
    const apps = async (caller: Caller, url: string) => [...new Set(((await fixture.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens.get(caller)}` } })).json() as { items: Array<{ app: string }> }).items.map((item) => item.app))];
    const promoter = createEventPublisher({ redis: fixture.redis, source: '/tidewater/promoter' });
    await promoter.publish({ type: eventTypes.imageUpdateFailed, data: { app: 'data-app', policy: 'argocd:data-app:etl', image: 'ghcr.io/org/etl', reason: 'no such tag' } });
    await promoter.publish({ type: eventTypes.imageUpdateFailed, data: { app: 'web-app', policy: 'argocd:web-app:web', image: 'ghcr.io/org/web', reason: 'no such tag' } });
    for (const caller of callers) {
      const expected = ['data-app', 'web-app'].filter((app) => (app === 'web-app' ? everyone : ['admin', 'alice', 'dana', 'erin', 'vic']).includes(caller));
      expect((await apps(caller, '/api/v1/images/updates')).sort(), caller).toEqual(expected);
      expect((await apps(caller, '/api/v1/images')).sort(), caller).toEqual(expected);
    }
  });

  it('lists only the applications each caller may get', async () => {
    const names = async (caller: Caller) => ((await fixture.app.inject({ method: 'GET', url: '/api/v1/applications', headers: { authorization: `Bearer ${tokens.get(caller)}` } })).json() as { items: Array<{ metadata: { name: string } }> }).items.map((item) => item.metadata.name);
    expect(await names('vic')).toEqual(['web-app', 'web-api', 'data-app']);
    expect(await names('proj:web:deployer')).toEqual(['web-app', 'web-api']);
    expect(await names('proj:web:ci')).toEqual(['web-app']);
    expect(await names('nobody')).toEqual([]);
  });
});

describe('a configuration reload (SIGHUP) changes the policy at once', () => {
  it('a role granted by the new argocd-rbac-cm applies to the next request, and a removed one stops', async () => {
    let config = apiTestConfig();
    const fixture = await startApiFixture({ config: () => config });
    try {
      const token = await fixture.apiToken('nobody');
      const get = async () => (await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app', headers: { authorization: `Bearer ${token}` } })).statusCode;
      expect(await get()).toBe(403);
      config = apiTestConfig(apiTestConfigYaml.replace('g, vic, role:readonly', 'g, vic, role:readonly\n    g, nobody, role:readonly'));
      expect(await get()).toBe(200);
      config = apiTestConfig();
      expect(await get()).toBe(403);
    } finally {
      await fixture.close();
    }
  });
});
