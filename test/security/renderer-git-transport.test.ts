// Door: git transport is pinned and credentials are bound (issue 8, item 3). Applications point the renderer at
// repositories their AppProject forbids, at local paths and file:// URLs, at `ext::` (which runs a command), at a
// plain http:// spelling of a repository whose token is bound to https, at an https host that redirects to another
// host, and at a repository whose submodule points at a recording server. Rendered by the real worker from the
// real render queue: a git:// proxy and local HTTP(S) servers record every connection and Authorization header.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkDir, startGitServer, type GitRepo, type GitServer } from '../harness/src/index.ts';
import { createGitClient } from '../../services/renderer/src/git/git-client.ts';
import {
  gitHttpBackend, selfSignedCertificate, startRecordingGitProxy, startRecordingHttpServer,
  type RecordingGitProxy, type RecordingHttpServer, type TlsMaterial,
} from './support/recording-servers.ts';
import { startRendererUnderAttack, type RendererUnderAttack } from './support/renderer-worker.ts';

const token = `tw-test-token-${Date.now().toString(36)}`;
const tokenEnv = 'TIDEWATER_SECRET_TRANSPORT_TEST_TOKEN';
const basicToken = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;

const application = (name: string, repoURL: string, options: { project?: string; path?: string } = {}) => `---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: ${options.project ?? 'default'}
  source: {repoURL: ${JSON.stringify(repoURL)}, targetRevision: main, path: ${options.path ?? 'apps/config'}}
  destination: {server: https://kubernetes.default.svc, namespace: transport}
`;
const repository = (name: string, url: string, extra = '') =>
  `---\napiVersion: tidewater.dev/v1alpha1\nkind: Repository\nmetadata: {name: ${name}}\nspec:\n  url: ${JSON.stringify(url)}\n${extra}`;

/** Async git (the recording servers live in this process, so the event loop must keep running). */
const git = (cwd: string, args: string[], env: Record<string, string> = {}) => new Promise<{ code: number; stderr: string }>((resolveGit) => {
  // Only PATH and HOME of this process, as the renderer's own git gets (no inherited GIT_SSL_CAINFO and the like).
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  execFile('git', args, { cwd, env: { ...base, ...env }, encoding: 'utf8' }, (error, _stdout, stderr) => {
    resolveGit({ code: error ? 1 : 0, stderr });
  });
});

describe('renderer door: git transport pinned, credentials bound, sourceRepos checked first (real worker, git, Redis)', () => {
  let renderer: RendererUnderAttack;
  let gitServer: GitServer;
  let repo: GitRepo;
  let localRepo: GitRepo;
  let submoduleRepo: GitRepo;
  let proxy: RecordingGitProxy;
  let plainHttp: RecordingHttpServer;
  let redirecting: RecordingHttpServer;
  let otherHost: RecordingHttpServer;
  let tls: TlsMaterial;
  let sha: string;
  let localSha: string;
  let submoduleSha: string;
  const work = makeWorkDir('transport');
  const extMarker = join(work.dir, 'ext-ran');
  const originalHome = process.env.HOME;

  beforeAll(async () => {
    [renderer, gitServer] = await Promise.all([startRendererUnderAttack(), startGitServer()]);
    repo = gitServer.createRepo('hostile/transport');
    sha = (await repo.commit({ 'apps/config/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: transport}\n' }, 'config')).sha;
    localRepo = gitServer.createRepo('hostile/local');
    localSha = (await localRepo.commit({ 'apps/config/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: local}\n' }, 'config')).sha;
    proxy = await startRecordingGitProxy(gitServer.baseUrl);
    plainHttp = await startRecordingHttpServer();
    tls = selfSignedCertificate(work.dir);
    // "Another host": 127.0.0.1 on another port, serving the real repositories with git's smart HTTP.
    otherHost = await startRecordingHttpServer({ tls, handle: gitHttpBackend(gitServer.rootDir) });
    redirecting = await startRecordingHttpServer({
      tls, host: 'localhost',
      handle: (request, response) => response.writeHead(302, { location: `${otherHost.origin}${request.url}` }).end(),
    });
    // The renderer's git trusts the test CA through the global git config of its HOME, as an operator's would.
    mkdirSync(join(work.dir, 'home'));
    writeFileSync(join(work.dir, 'home/.gitconfig'), `[http]\n\tsslCAInfo = ${tls.certFile}\n`);
    process.env.HOME = join(work.dir, 'home');
    process.env[tokenEnv] = token;

    // A repository with a submodule whose URL is the recording HTTP server.
    submoduleRepo = gitServer.createRepo('hostile/submodule');
    const clone = join(work.dir, 'submodule-clone');
    await git(work.dir, ['clone', '--quiet', submoduleRepo.url, clone]);
    mkdirSync(join(clone, 'apps/config'), { recursive: true });
    writeFileSync(join(clone, 'apps/config/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: with-submodule}\n');
    writeFileSync(join(clone, '.gitmodules'), `[submodule "apps/config/vendor"]\n\tpath = apps/config/vendor\n\turl = ${plainHttp.origin}/evil.git\n`);
    await git(clone, ['add', '.']);
    await git(clone, ['update-index', '--add', '--cacheinfo', `160000,${sha},apps/config/vendor`]);
    const author = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };
    await git(clone, ['commit', '--quiet', '-m', 'submodule'], author);
    expect((await git(clone, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main'])).code).toBe(0);
    submoduleSha = submoduleRepo.head();

    const proxied = `${proxy.baseUrl}/hostile/transport.git`;
    await renderer.writeConfig('transport.yaml', [
      `---\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: locked}\nspec:\n  sourceRepos: ['https://github.com/allowed-org/*']\n  destinations: [{server: '*', namespace: '*'}]\n`,
      application('forbidden-by-project', proxied, { project: 'locked' }),
      application('allowed-through-proxy', proxied),
      application('local-path', repo.gitDir),
      application('file-url', `file://${repo.gitDir}`),
      repository('local-allowed', `file://${localRepo.gitDir}`, '  allowLocalTransport: true\n'),
      application('local-allowed', `file://${localRepo.gitDir}`),
      application('ext-transport', `ext::sh -c touch% ${extMarker}`),
      application('fd-transport', 'fd::0'),
      repository('token-over-https', `https://127.0.0.1:${plainHttp.port}/hostile/transport.git`, `  credentialRef: {env: ${tokenEnv}}\n`),
      application('plain-http-spelling', `http://127.0.0.1:${plainHttp.port}/hostile/transport.git`),
      repository('redirecting', `${redirecting.origin}/hostile/transport.git`, `  credentialRef: {env: ${tokenEnv}}\n`),
      application('redirect-to-other-host', `${redirecting.origin}/hostile/transport.git`),
      application('submodule', submoduleRepo.url),
    ].join(''));
  });

  afterAll(async () => {
    process.env.HOME = originalHome;
    delete process.env[tokenEnv];
    await renderer?.stop();
    await Promise.all([proxy?.stop(), plainHttp?.stop(), redirecting?.stop(), otherHost?.stop()]);
    await gitServer?.stop();
    work.remove();
  });

  async function refused(app: string, revision: string): Promise<string> {
    await renderer.requestRender(app, revision);
    const outcome = await renderer.settled(app, revision);
    expect(outcome.state).toBe('failed');
    expect(outcome.attemptsMade).toBe(1);
    expect(await renderer.failures(app)).toEqual([outcome.failedReason]);
    expect((await renderer.syncJobIds()).filter((id) => id.startsWith(`sync:${app}:`))).toEqual([]);
    return outcome.failedReason!;
  }

  it('checks AppProject sourceRepos before fetching: refused, the git server saw no connection, nothing queued', async () => {
    const reason = await refused('forbidden-by-project', sha);
    expect(reason).toBe(`render of forbidden-by-project refused before fetching: repository ${proxy.baseUrl}/hostile/transport.git is not permitted in project locked (sourceRepos)`);
    expect(proxy.requests).toEqual([]);
    // The same repository through the same proxy, in a project that permits it: the proxy does see the fetch.
    await renderer.requestRender('allowed-through-proxy', sha);
    expect((await renderer.settled('allowed-through-proxy', sha)).state).toBe('completed');
    expect(proxy.requests).toContain('git-upload-pack /hostile/transport.git');
  });

  it('refuses local paths and file:// URLs unless the Repository sets allowLocalTransport', async () => {
    expect(await refused('local-path', sha)).toBe(`repository ${repo.gitDir} is a local path or file:// URL, which the renderer does not fetch by default; `
      + 'add a Repository document for it with spec.allowLocalTransport: true to allow it');
    expect(await refused('file-url', sha)).toContain(`repository file://${repo.gitDir} is a local path or file:// URL`);
    await renderer.requestRender('local-allowed', localSha);
    expect((await renderer.settled('local-allowed', localSha)).state).toBe('completed');
  });

  it('refuses ext:: and fd:: transports; the command never runs', async () => {
    expect(await refused('ext-transport', sha)).toContain('uses the git transport "ext", which the renderer does not allow (allowed: https, ssh, git)');
    expect(await refused('fd-transport', sha)).toContain('uses the git transport "fd"');
    expect(existsSync(extMarker)).toBe(false);
  });

  it('pins transports inside git too (GIT_ALLOW_PROTOCOL): ext::, file:// and http:// fail in the renderer’s git client', async () => {
    const mirror = join(work.dir, 'direct-mirror');
    mkdirSync(mirror);
    const client = createGitClient({ baseDir: mirror });
    await client.run(['init', '--quiet', '--bare'], { operation: 'init', repo: 'test' });
    for (const url of [`ext::sh -c touch% ${extMarker}`, `file://${repo.gitDir}`, repo.gitDir, `${plainHttp.origin}/hostile/transport.git`]) {
      await expect(client.run(['fetch', '--quiet', '--', url, 'main'], { operation: 'fetch', repo: url })).rejects.toThrow('the repository URL uses an unsupported protocol');
    }
    expect(existsSync(extMarker)).toBe(false);
    expect(plainHttp.requests).toEqual([]);
  });

  it('never sends a token bound to https to an http:// spelling of the same repository', async () => {
    expect(await refused('plain-http-spelling', sha)).toContain('uses plain http://, which the renderer does not fetch; use https://');
    expect(plainHttp.requests).toEqual([]);
  });

  it('attack reproduced: git’s default redirect handling sends an extra-header token to the host a redirect names', async () => {
    const mirror = join(work.dir, 'leaky-mirror');
    await git(work.dir, ['init', '--quiet', '--bare', mirror]);
    const url = `${redirecting.origin}/hostile/transport.git`;
    otherHost.requests.length = 0;
    const leaky = await git(mirror, ['fetch', '--quiet', '--', url, '+refs/heads/*:refs/heads/*'], {
      GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${url}.extraHeader`, GIT_CONFIG_VALUE_0: `Authorization: ${basicToken}`,
    });
    expect(otherHost.requests.some((request) => request.authorization === basicToken), leaky.stderr).toBe(true);
    otherHost.requests.length = 0;
    redirecting.requests.length = 0;
  });

  it('never sends the token to another host through a redirect: the render fails permanently, the other host saw nothing', async () => {
    const reason = await refused('redirect-to-other-host', sha);
    expect(reason).toContain('the repository URL redirects elsewhere; with a credential, redirects are not followed');
    expect(reason).not.toContain(token);
    // The token went to the Repository's own host only (it is in use, and bound)...
    expect(redirecting.requests.length).toBeGreaterThan(0);
    expect(redirecting.requests.every((request) => request.authorization === basicToken)).toBe(true);
    // ...and the host the redirect named received no request at all.
    expect(otherHost.requests).toEqual([]);
  });

  it('never fetches a submodule: its URL (a recording server) receives no request', async () => {
    plainHttp.requests.length = 0;
    await renderer.requestRender('submodule', submoduleSha);
    expect((await renderer.settled('submodule', submoduleSha)).state).toBe('completed');
    expect(plainHttp.requests).toEqual([]);
  });
});
