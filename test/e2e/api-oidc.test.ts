import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from '../harness/src/index.ts';
import { apiTestConfig, apiTestConfigYaml, startApiFixture, type ApiFixture } from './api-fixture.ts';

// Single sign-on through a real OpenID Connect provider: oidc-provider (a certified OpenID Provider library),
// run here with its development login and consent pages, which accept any user name. Dex does not build here
// from its Go module (the module proxy serves only its 2018 release), so this stands in for it.
const clientSecret = 'tidewater-test-oidc-secret';
const secretEnv = 'TIDEWATER_SECRET_TEST_OIDC_CLIENT';

/** A minimal browser: cookies per host, redirects followed by hand, forms of the provider's pages submitted. */
function createBrowser() {
  const jars = new Map<string, Map<string, string>>();
  const cookieHeader = (url: URL) => [...(jars.get(url.host) ?? new Map()).entries()].map(([name, value]) => `${name}=${value}`).join('; ');
  async function request(url: URL, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), cookie: cookieHeader(url) } });
    const jar = jars.get(url.host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      jar.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    jars.set(url.host, jar);
    return response;
  }
  /** Follows redirects from `start`, answering each provider page (login, then consent); stops at `stopAt`'s host. */
  async function walk(start: URL, answers: Record<string, string>, stopAt: (url: URL) => boolean): Promise<Response> {
    let url = start;
    for (let step = 0; step < 20; step++) {
      const response = await request(url);
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get('location') as string, url);
        if (stopAt(url)) return request(url);
        continue;
      }
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`unexpected page at ${url}: ${response.status} ${html.slice(0, 200)}`);
      const form = new URLSearchParams({ prompt, ...(prompt === 'login' ? answers : {}) });
      const submitted = await request(new URL(action, url), { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      url = new URL(submitted.headers.get('location') as string, url);
      if (stopAt(url)) return request(url);
    }
    throw new Error('too many steps');
  }
  return { request, walk, cookie: (host: string, name: string) => jars.get(host)?.get(name) };
}

describe('single sign-on through an OpenID Connect provider', () => {
  let fixture: ApiFixture;
  let providerServer: Server;
  let api: URL;

  beforeAll(async () => {
    const [apiPort, providerPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${providerPort}`;
    api = new URL(`http://127.0.0.1:${apiPort}`);
    process.env[secretEnv] = clientSecret;
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'tidewater', client_secret: clientSecret, redirect_uris: [`${api.origin}/auth/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
      async findAccount(_ctx, id) {
        return { accountId: id, async claims() { return { sub: id, email: `${id}@example.com`, groups: id === 'jane' ? ['sso-deployers'] : [] }; } };
      },
      claims: { openid: ['sub'], email: ['email'], groups: ['groups'] },
      scopes: ['openid', 'email', 'groups'],
      conformIdTokenClaims: false,
      cookies: { keys: ['test-cookie-key'] },
      features: { devInteractions: { enabled: true } },
    });
    providerServer = provider.listen(providerPort);
    const yaml = apiTestConfigYaml
      .replace('    g, vic, role:readonly', '    g, vic, role:readonly\n    g, sso-deployers, role:deployer')
      .replace('  accounts.gone.enabled: "false"', [
        '  accounts.gone.enabled: "false"',
        `  url: ${api.origin}`,
        '  oidc.config: |',
        '    name: Test IdP',
        `    issuer: ${issuer}`,
        '    clientID: tidewater',
        `    clientSecretRef: {env: ${secretEnv}}`,
        '    requestedScopes: [openid, email, groups]',
      ].join('\n'));
    const config = apiTestConfig(yaml);
    fixture = await startApiFixture({ config: () => config });
    await fixture.app.listen({ port: apiPort, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await fixture?.close();
    await new Promise((resolve) => providerServer?.close(resolve));
    delete process.env[secretEnv];
  });

  it('logs a provider user in with a session cookie; its groups claim binds Argo CD roles', async () => {
    const browser = createBrowser();
    const landing = await browser.walk(new URL('/auth/login?return_url=/api/v1/session/userinfo', api), { login: 'jane', password: 'any' }, (url) => url.host === api.host && url.pathname === '/auth/callback');
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe('/api/v1/session/userinfo');
    const session = browser.cookie(api.host, 'tidewater.token') as string;
    const csrf = browser.cookie(api.host, 'tidewater.csrf') as string;
    expect(session).toBeTruthy();
    const cookie = `tidewater.token=${session}; tidewater.csrf=${csrf}`;
    const info = await fetch(new URL('/api/v1/session/userinfo', api), { headers: { cookie } });
    expect(await info.json()).toEqual({ loggedIn: true, username: 'jane@example.com', groups: ['sso-deployers'], via: 'sso' });
    const sync = (app: string) => fetch(new URL(`/api/v1/applications/${app}/sync`, api), { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: '{}' });
    expect((await sync('web-app')).status).toBe(200);
    const denied = await sync('data-app');
    expect(denied.status).toBe(403);
    expect(fixture.controlJobs.filter((job) => job.kind === 'sync').at(-1)).toMatchObject({ app: 'web-app', actor: 'jane@example.com' });
  });

  it('a replayed callback is refused, a foreign return URL is not followed, a user without groups gets nothing', async () => {
    const browser = createBrowser();
    const callbacks: URL[] = [];
    await browser.walk(new URL('/auth/login?return_url=https://evil.example.com/', api), { login: 'joe', password: 'any' }, (url) => {
      if (url.host === api.host && url.pathname === '/auth/callback') callbacks.push(url);
      return url.host === api.host && url.pathname === '/auth/callback';
    }).then((response) => expect(response.headers.get('location')).toBe('/api/docs'));
    const replay = await fetch(callbacks[0], { redirect: 'manual' });
    expect(replay.status).toBe(401);
    const session = browser.cookie(api.host, 'tidewater.token') as string;
    const app = await fetch(new URL('/api/v1/applications/web-app', api), { headers: { authorization: `Bearer ${session}` } });
    expect(app.status).toBe(403);
  });
});
