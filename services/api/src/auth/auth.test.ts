import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllEvents } from '@tidewater/events';
import { redactedPaths } from '@tidewater/telemetry';
import { startApiFixture, type ApiFixture } from '../../../../test/e2e/api-fixture.ts';
import { waitFor } from '../../../../test/harness/src/index.ts';
import { createRbac } from '../rbac/enforcer.ts';
import { apiTestConfig, apiTestConfigYaml } from '../../../../test/e2e/api-fixture.ts';

describe('authentication attacked through the real path', () => {
  let fixture: ApiFixture;
  let admin: string;
  const issuedSecrets: string[] = [];
  const get = (headers: Record<string, string>) => fixture.app.inject({ method: 'GET', url: '/api/v1/applications/web-app', headers });

  // Every log line the API writes at debug level, to look for secrets in (request lines included).
  const logLines: string[] = [];
  const logger = pino({ level: 'debug', redact: { paths: redactedPaths, censor: '[redacted]' } }, new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } }));

  beforeAll(async () => {
    fixture = await startApiFixture({ deps: { loginLimits: { maxPerAccount: 3, windowSeconds: 60 }, logger } });
    admin = await fixture.login('admin');
    issuedSecrets.push(fixture.adminPassword, admin);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('refuses a missing, malformed, forged or foreign token with 401', async () => {
    expect((await get({})).statusCode).toBe(401);
    expect((await get({ authorization: 'Basic YWRtaW46YWRtaW4=' })).statusCode).toBe(401);
    expect((await get({ authorization: 'Bearer tw_abc.def' })).statusCode).toBe(401);
    const forged = await new SignJWT({ typ: 'session' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('tidewater').setSubject('admin')
      .setJti('x').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('not the API key'));
    expect((await get({ authorization: `Bearer ${forged}` })).statusCode).toBe(401);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"proj:web:deployer","jti":"a","iat":1,"iss":"tidewater"}').toString('base64url')}.`;
    expect((await get({ authorization: `Bearer ${unsigned}` })).statusCode).toBe(401);
  });

  it('stores API tokens hashed, shows them once, and honours expiry and revocation', async () => {
    const created = await fixture.app.inject({ method: 'POST', url: '/api/v1/account/dana/token', headers: { authorization: `Bearer ${admin}` }, payload: { id: 'ci-1' } });
    expect(created.statusCode).toBe(200);
    const { token } = created.json() as { token: string };
    issuedSecrets.push(token);
    expect((await get({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    // Nothing in Redis holds the token's secret part.
    const secret = token.split('.')[1];
    for (const key of await fixture.redis.keys('tidewater:api:*')) {
      const type = await fixture.redis.type(key);
      const value = type === 'string' ? await fixture.redis.get(key) : JSON.stringify(type === 'hash' ? await fixture.redis.hgetall(key) : type === 'set' ? await fixture.redis.smembers(key) : []);
      expect(value ?? '').not.toContain(secret);
    }
    const listed = await fixture.app.inject({ method: 'GET', url: '/api/v1/account/dana', headers: { authorization: `Bearer ${admin}` } });
    expect(listed.json()).toMatchObject({ tokens: [{ id: 'ci-1' }] });
    expect(listed.body).not.toContain(secret);
    const revoked = await fixture.app.inject({ method: 'DELETE', url: '/api/v1/account/dana/token/ci-1', headers: { authorization: `Bearer ${admin}` } });
    expect(revoked.statusCode).toBe(200);
    expect((await get({ authorization: `Bearer ${token}` })).statusCode).toBe(401);

    const shortLived = await fixture.app.inject({ method: 'POST', url: '/api/v1/account/dana/token', headers: { authorization: `Bearer ${admin}` }, payload: { expiresIn: 1 } });
    const short = (shortLived.json() as { token: string }).token;
    issuedSecrets.push(short);
    await waitFor('the 1 s token to expire', async () => (await get({ authorization: `Bearer ${short}` })).statusCode === 401, { timeoutMs: 10_000 });
  });

  it('refuses tokens for accounts without apiKey, disabled accounts, and login for accounts without login', async () => {
    const noKey = await fixture.app.inject({ method: 'POST', url: '/api/v1/account/admin/token', headers: { authorization: `Bearer ${admin}` }, payload: {} });
    expect(noKey.statusCode).toBe(409);
    const disabled = await fixture.app.inject({ method: 'POST', url: '/api/v1/account/gone/token', headers: { authorization: `Bearer ${admin}` }, payload: {} });
    expect(disabled.statusCode).toBe(409);
    const erinLogin = await fixture.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'erin', password: 'anything' } });
    expect(erinLogin.statusCode).toBe(401);
  });

  it('rate-limits failed logins per account: past the limit even the right password gets 429', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await fixture.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'nobody', password: `guess-${attempt}` } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toMatchObject({ message: 'invalid username or password' });
    }
    const right = await fixture.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'nobody', password: 'nobody-password' } });
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is not locked out by nobody's failures.
    expect((await fixture.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'dana', password: 'dana-password' } })).statusCode).toBe(200);
  });

  it('a browser session is an HttpOnly SameSite cookie, and a mutating call needs the CSRF header', async () => {
    const login = await fixture.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'alice', password: 'alice-password' } });
    const cookies = login.cookies as Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string }>;
    const session = cookies.find((cookie) => cookie.name === 'tidewater.token');
    const csrf = cookies.find((cookie) => cookie.name === 'tidewater.csrf');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(csrf?.httpOnly).toBeFalsy();
    issuedSecrets.push(session!.value);
    const cookie = `tidewater.token=${session!.value}; tidewater.csrf=${csrf!.value}`;
    expect((await get({ cookie })).statusCode).toBe(200);
    const forgedPost = await fixture.app.inject({ method: 'POST', url: '/api/v1/applications/web-app/sync', headers: { cookie }, payload: { dryRun: true } });
    expect(forgedPost.statusCode).toBe(403);
    expect(forgedPost.json()).toMatchObject({ message: expect.stringContaining('x-csrf-token') });
    const wrongHeader = await fixture.app.inject({ method: 'POST', url: '/api/v1/applications/web-app/sync', headers: { cookie, 'x-csrf-token': 'guess' }, payload: { dryRun: true } });
    expect(wrongHeader.statusCode).toBe(403);
    const withHeader = await fixture.app.inject({ method: 'POST', url: '/api/v1/applications/web-app/sync', headers: { cookie, 'x-csrf-token': csrf!.value }, payload: { dryRun: true } });
    expect(withHeader.statusCode).toBe(200);
    // Logout ends the session for the cookie and the bearer form alike.
    expect((await fixture.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, 'x-csrf-token': csrf!.value } })).statusCode).toBe(200);
    expect((await get({ cookie })).statusCode).toBe(401);
    expect((await get({ authorization: `Bearer ${session!.value}` })).statusCode).toBe(401);
  });

  it('project role tokens work while issued and their role exists; delete-token by iat revokes', async () => {
    const created = await fixture.app.inject({ method: 'POST', url: '/api/v1/projects/web/roles/deployer/token', headers: { authorization: `Bearer ${admin}` }, payload: { id: 'pipeline' } });
    const { token, iat } = created.json() as { token: string; iat: number };
    issuedSecrets.push(token);
    expect((await get({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    const project = await fixture.app.inject({ method: 'GET', url: '/api/v1/projects/web', headers: { authorization: `Bearer ${admin}` } });
    expect(project.json()).toMatchObject({ status: { jwtTokensByRole: { deployer: { items: [{ id: 'pipeline', iat }] } } } });
    expect(project.body).not.toContain(token);
    // A project token cannot reach another project's apps, nor issue tokens.
    expect((await fixture.app.inject({ method: 'GET', url: '/api/v1/applications/data-app', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
    expect((await fixture.app.inject({ method: 'POST', url: '/api/v1/projects/web/roles/deployer/token', headers: { authorization: `Bearer ${token}` }, payload: {} })).statusCode).toBe(403);
    const revoke = await fixture.app.inject({ method: 'DELETE', url: `/api/v1/projects/web/roles/deployer/token/${iat}`, headers: { authorization: `Bearer ${admin}` } });
    expect(revoke.statusCode).toBe(200);
    expect((await get({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
  });

  it('changes a password; the old one stops working', async () => {
    const dana = await fixture.login('dana');
    const change = await fixture.app.inject({ method: 'PUT', url: '/api/v1/account/password', headers: { authorization: `Bearer ${dana}` }, payload: { currentPassword: 'dana-password', newPassword: 'a much longer one' } });
    expect(change.statusCode).toBe(200);
    expect((await fixture.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'dana', password: 'dana-password' } })).statusCode).toBe(401);
    expect((await fixture.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'dana', password: 'a much longer one' } })).statusCode).toBe(200);
    issuedSecrets.push('a much longer one');
  });

  it('never writes a password or token into an event or a log line; events name the authenticated actor', async () => {
    const events = await readAllEvents(fixture.redis);
    const text = JSON.stringify(events);
    const logs = logLines.join('');
    expect(logs).toContain('/api/v1/session');
    for (const secret of [...issuedSecrets, 'dana-password', 'alice-password', 'nobody-password']) {
      expect(text).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(events.some((event) => event.type === 'dev.tidewater.token.created' && event.data.actor === 'admin' && event.data.account === 'dana')).toBe(true);
    expect(events.some((event) => event.type === 'dev.tidewater.session.login-failed' && event.data.account === 'nobody')).toBe(true);
  });
});

describe('an argocd-rbac-cm copied from Argo CD\'s documentation', () => {
  it('behaves as in Argo CD: custom org-admin role for a group, policy.default for everyone else', async () => {
    const yaml = `${apiTestConfigYamlWithout()}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-rbac-cm, namespace: argocd}
data:
  policy.default: role:readonly
  policy.csv: |
    p, role:org-admin, applications, *, */*, allow
    p, role:org-admin, clusters, get, *, allow
    p, role:org-admin, repositories, get, *, allow
    p, role:org-admin, repositories, create, *, allow
    p, role:org-admin, repositories, update, *, allow
    p, role:org-admin, repositories, delete, *, allow
    p, role:org-admin, projects, get, *, allow
    p, role:org-admin, projects, create, *, allow
    p, role:org-admin, projects, update, *, allow
    p, role:org-admin, projects, delete, *, allow
    p, role:org-admin, logs, get, *, allow
    p, role:org-admin, exec, create, */*, allow

    g, your-github-org:your-team, role:org-admin
`;
    const rbac = await createRbac(apiTestConfig(yaml));
    expect(rbac.warnings).toEqual([]);
    const member = { subject: 'jane', groups: ['your-github-org:your-team'], via: 'session' as const };
    const other = { subject: 'joe', groups: [], via: 'session' as const };
    const sync = { resource: 'applications' as const, action: 'sync', object: 'data/data-app' };
    expect(rbac.can(member, sync)).toBe(true);
    expect(rbac.can(member, { resource: 'projects', action: 'update', object: 'web' })).toBe(true);
    expect(rbac.can(other, sync)).toBe(false);
    expect(rbac.can(other, { resource: 'applications', action: 'get', object: 'data/data-app' })).toBe(true);
    expect(rbac.can(other, { resource: 'clusters', action: 'get', object: 'https://kubernetes.default.svc' })).toBe(true);
  });

  it('policy.matchMode regex matches objects by regular expression', async () => {
    const yaml = `${apiTestConfigYamlWithout()}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-rbac-cm}
data:
  policy.matchMode: regex
  policy.csv: |
    p, role:web-syncer, applications, (get|sync), web/web-.*, allow
    g, sam, role:web-syncer
`;
    const rbac = await createRbac(apiTestConfig(yaml));
    const sam = { subject: 'sam', groups: [], via: 'session' as const };
    expect(rbac.can(sam, { resource: 'applications', action: 'sync', object: 'web/web-api' })).toBe(true);
    expect(rbac.can(sam, { resource: 'applications', action: 'delete', object: 'web/web-api' })).toBe(false);
    expect(rbac.can(sam, { resource: 'applications', action: 'sync', object: 'data/data-app' })).toBe(false);
  });
});

/** The fixture's documents without its argocd-rbac-cm (a test brings its own). */
function apiTestConfigYamlWithout(): string {
  return apiTestConfigYaml.split('\n---\n').filter((document) => !document.includes('name: argocd-rbac-cm')).join('\n---\n');
}
