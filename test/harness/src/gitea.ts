import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheDir, toolVersions } from './paths.ts';
import { freePort } from './ports.ts';
import { raceExit, startProcess } from './process.ts';
import { waitFor } from './wait.ts';
import { makeWorkDir } from './workdir.ts';

/** A repository on the test Gitea. */
export interface GiteaRepo {
  /** `owner/name` */
  fullName: string;
  /** HTTP clone URL (`http://127.0.0.1:port/owner/name.git`); pushing needs the admin's credentials. */
  cloneUrl: string;
}

/** Gitea's pull request as its API v1 returns it (the fields the tests read). */
export interface GiteaPull {
  number: number;
  state: string;
  title: string;
  body: string;
  html_url: string;
  head: { ref: string; sha: string };
  base: { ref: string };
}

export interface GiteaServer {
  /** `http://127.0.0.1:port` */
  url: string;
  /** `http://127.0.0.1:port/api/v1` — what `writeBack.pullRequest.apiURL` names. */
  apiUrl: string;
  /** The site admin made at start, with an access token (all scopes) for the API and for git over HTTP. */
  admin: { username: string; token: string };
  /** Creates `<admin>/<name>` through the API and pushes one commit with `files` to its `main` branch. */
  createRepo(name: string, files: Record<string, string>): Promise<GiteaRepo>;
  /** `GET /repos/{owner}/{repo}/pulls?state=…` as the admin. */
  pullRequests(fullName: string, state?: 'open' | 'closed' | 'all'): Promise<GiteaPull[]>;
  /** A file's content at a branch, through the API. */
  fileAt(fullName: string, ref: string, path: string): Promise<string>;
  /** The commit a branch points to, or undefined when it does not exist. */
  branchHead(fullName: string, branch: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** Where scripts/setup puts Gitea: its binary, and its source tree (templates, locales) that the binary reads. */
export function giteaPaths(): { binary: string; staticRoot: string } {
  const version = (toolVersions() as unknown as Record<string, string>).GITEA_VERSION ?? 'unknown';
  const dir = join(cacheDir, 'gitea', version);
  return { binary: join(dir, 'bin', 'gitea'), staticRoot: join(dir, 'src') };
}

/** True when scripts/setup has built Gitea (it does unless run with `--no-gitea`). */
export function giteaAvailable(): boolean {
  const { binary, staticRoot } = giteaPaths();
  return existsSync(binary) && existsSync(join(staticRoot, 'options'));
}

/**
 * The real Gitea (built from its Go module by scripts/setup) on a free loopback port: SQLite in a temp dir,
 * install locked, offline, no SSH, no mail; one admin with an access token.
 */
export async function startGitea(): Promise<GiteaServer> {
  const { binary, staticRoot } = giteaPaths();
  if (!giteaAvailable()) throw new Error(`gitea is not built (expected ${binary}); run scripts/setup (without --no-gitea) to build it`);
  const work = makeWorkDir('gitea');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const data = join(work.dir, 'data');
  const configPath = join(work.dir, 'custom', 'conf', 'app.ini');
  mkdirSync(dirname(configPath), { recursive: true });
  const secret = () => randomBytes(24).toString('hex');
  writeFileSync(configPath, [
    'APP_NAME = Tidewater test forge', 'RUN_MODE = prod', `RUN_USER = ${userInfo().username}`, `WORK_PATH = ${work.dir}`,
    `I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = ${process.getuid?.() === 0}`,
    '[server]', 'PROTOCOL = http', 'HTTP_ADDR = 127.0.0.1', `HTTP_PORT = ${port}`, `ROOT_URL = ${url}/`, 'DOMAIN = 127.0.0.1',
    'DISABLE_SSH = true', 'START_SSH_SERVER = false', 'OFFLINE_MODE = true', 'LFS_START_SERVER = false',
    `STATIC_ROOT_PATH = ${staticRoot}`, `APP_DATA_PATH = ${data}`,
    '[database]', 'DB_TYPE = sqlite3', `PATH = ${join(data, 'gitea.db')}`,
    '[repository]', `ROOT = ${join(work.dir, 'repositories')}`, 'DEFAULT_BRANCH = main',
    '[security]', 'INSTALL_LOCK = true', `SECRET_KEY = ${secret()}`, `INTERNAL_TOKEN = ${secret()}`,
    '[oauth2]', 'ENABLED = false',
    '[service]', 'DISABLE_REGISTRATION = true', 'REQUIRE_SIGNIN_VIEW = false',
    '[mailer]', 'ENABLED = false',
    '[session]', 'PROVIDER = memory',
    '[cache]', 'ADAPTER = memory',
    '[indexer]', 'ISSUE_INDEXER_TYPE = db', 'REPO_INDEXER_ENABLED = false',
    '[cron]', 'ENABLED = false',
    '[actions]', 'ENABLED = false',
    '[packages]', 'ENABLED = false',
    '[log]', 'MODE = console', 'LEVEL = Warn', `ROOT_PATH = ${join(work.dir, 'log')}`,
    '',
  ].join('\n'));
  // Gitea refuses to run as root unless told; test machines often are root.
  const env = { GITEA_WORK_DIR: work.dir, GITEA_CUSTOM: join(work.dir, 'custom'), GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT: 'true', HOME: work.dir };
  const cli = (...args: string[]) => execFileSync(binary, ['--config', configPath, '--work-path', work.dir, ...args], {
    cwd: work.dir, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
  }).trim();

  const username = 'tidewater';
  let token: string;
  try {
    cli('migrate');
    cli('admin', 'user', 'create', '--admin', '--username', username, '--password', secret(), '--email', 'tidewater@example.invalid', '--must-change-password=false');
    token = cli('admin', 'user', 'generate-access-token', '--username', username, '--token-name', 'tidewater-test', '--scopes', 'all', '--raw').split('\n').pop()!.trim();
  } catch (error) {
    work.remove();
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`gitea admin setup failed: ${(error as Error).message.split('\n')[0]}\n${stderr.slice(-2000)}`);
  }
  const gitea = startProcess('gitea', binary, ['--config', configPath, '--work-path', work.dir, 'web'], { cwd: work.dir, env, logDir: work.dir });
  await raceExit(gitea, waitFor('gitea /api/v1/version', async () => (await fetch(`${url}/api/v1/version`)).status === 200, { timeoutMs: 60_000, intervalMs: 100 }));

  const apiUrl = `${url}/api/v1`;
  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method, headers: { authorization: `token ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    try {
      return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
    } catch {
      throw new Error(`gitea: ${method} ${path} answered ${response.status} without JSON: ${text.slice(0, 2000)}`);
    }
  };
  const gitEnv = {
    ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`,
  };

  return {
    url,
    apiUrl,
    admin: { username, token },
    async createRepo(name, files) {
      const created = await api<{ full_name: string; clone_url: string }>('POST', '/user/repos', { name, private: false, auto_init: false, default_branch: 'main' });
      if (created.status !== 201) throw new Error(`gitea: creating repository ${name} failed: ${created.status} ${JSON.stringify(created.json)}`);
      const clone = join(work.dir, 'seed', name);
      mkdirSync(clone, { recursive: true });
      const git = (...args: string[]) => execFileSync('git', ['-C', clone, '-c', 'user.name=Seed', '-c', 'user.email=seed@example.invalid', ...args], { env: gitEnv, stdio: 'pipe' });
      git('init', '--quiet', '-b', 'main');
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(clone, path)), { recursive: true });
        writeFileSync(join(clone, path), content);
      }
      git('add', '-A');
      git('commit', '--quiet', '-m', 'seed');
      git('push', '--quiet', created.json.clone_url, 'HEAD:refs/heads/main');
      // Gitea records a push to an empty repository from a queue after the push returns; until then it serves none.
      const fullName = created.json.full_name;
      await waitFor(`gitea: ${fullName} main branch after the first push`, async () => {
        const response = await fetch(`${apiUrl}/repos/${fullName}`, { headers: { authorization: `token ${token}` } });
        return response.status === 200 && ((await response.json()) as { empty: boolean }).empty === false;
      }, { timeoutMs: 30_000 });
      return { fullName: created.json.full_name, cloneUrl: created.json.clone_url };
    },
    async pullRequests(fullName, state = 'open') {
      const pulls = await api<GiteaPull[]>('GET', `/repos/${fullName}/pulls?state=${state}&limit=50`);
      if (pulls.status !== 200) throw new Error(`gitea: listing pull requests of ${fullName} failed: ${pulls.status}`);
      return pulls.json;
    },
    async fileAt(fullName, ref, path) {
      const response = await fetch(`${apiUrl}/repos/${fullName}/raw/${path}?ref=${encodeURIComponent(ref)}`, { headers: { authorization: `token ${token}` } });
      if (response.status !== 200) throw new Error(`gitea: ${fullName}@${ref}:${path} answered ${response.status}`);
      return response.text();
    },
    async branchHead(fullName, branch) {
      const response = await fetch(`${apiUrl}/repos/${fullName}/branches/${encodeURIComponent(branch)}`, { headers: { authorization: `token ${token}` } });
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw new Error(`gitea: branch ${branch} of ${fullName} answered ${response.status}`);
      return ((await response.json()) as { commit: { id: string } }).commit.id;
    },
    async stop() {
      await gitea.stop();
      work.remove();
    },
  };
}
