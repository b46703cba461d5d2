import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(join(here, name), 'utf8')) as Record<string, unknown>;
const errors = (name: string) => fixture(name) as Record<string, Record<string, unknown>>;

export type ForgeName = 'github' | 'gitlab' | 'gitea';

/** One request the forge stand-in received. */
export interface ForgeRequest {
  forge: ForgeName | 'redirect';
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One pull (merge) request the stand-in holds. */
export interface StoredPullRequest {
  number: number;
  repository: string;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'merged';
}

export interface ForgeApiServer {
  url: string;
  /** API base URLs: `${url}/github`, `${url}/gitlab/api/v4`, `${url}/gitea/api/v1`. */
  apiUrl: Record<ForgeName, string>;
  /** An API URL whose every answer is a 307 redirect to `target` (the attack on the token). */
  redirectingApiUrl: string;
  requests: ForgeRequest[];
  pulls: Record<ForgeName, StoredPullRequest[]>;
  /** The next `count` writes (POST/PUT/PATCH) to this forge answer 502, as a forge having a bad minute does. */
  failNextWrites(forge: ForgeName, count: number): void;
  /** Marks a pull request merged (the test fast-forwards the base branch on the git server itself). */
  markMerged(forge: ForgeName, repository: string, number: number): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server answering as the GitHub, GitLab and Gitea REST APIs document (bodies from the recorded
 * fixtures beside it). Each forge accepts only its own token in its own header form; a pull request can be opened
 * only for a head branch that exists in the real git server (`branchExists`), and only one open per head → base.
 */
export async function startForgeApiServer(options: {
  tokens: Record<ForgeName, string>;
  branchExists: (repository: string, branch: string) => boolean;
  redirectTo: string;
}): Promise<ForgeApiServer> {
  const requests: ForgeRequest[] = [];
  const pulls: Record<ForgeName, StoredPullRequest[]> = { github: [], gitlab: [], gitea: [] };
  let url = '';
  const failingWrites: Record<ForgeName, number> = { github: 0, gitlab: 0, gitea: 0 };

  const render = (forge: ForgeName, pull: StoredPullRequest): Record<string, unknown> => {
    const [owner] = pull.repository.split('/');
    if (forge === 'github') {
      const base = fixture('github-pull-request.json');
      const head = base.head as Record<string, unknown>;
      const target = base.base as Record<string, unknown>;
      return {
        ...base, number: pull.number, id: pull.number, title: pull.title, body: pull.body,
        state: pull.state === 'open' ? 'open' : 'closed', merged: pull.state === 'merged',
        url: `${url}/github/repos/${pull.repository}/pulls/${pull.number}`, html_url: `https://github.example/${pull.repository}/pull/${pull.number}`,
        head: { ...head, label: `${owner}:${pull.head}`, ref: pull.head }, base: { ...target, label: `${owner}:${pull.base}`, ref: pull.base },
      };
    }
    if (forge === 'gitlab') {
      return {
        ...fixture('gitlab-merge-request.json'), id: 100 + pull.number, iid: pull.number, title: pull.title, description: pull.body,
        state: pull.state === 'open' ? 'opened' : 'merged',
        source_branch: pull.head, target_branch: pull.base, web_url: `https://gitlab.example/${pull.repository}/-/merge_requests/${pull.number}`,
        references: { short: `!${pull.number}`, relative: `!${pull.number}`, full: `${pull.repository}!${pull.number}` },
      };
    }
    const base = fixture('gitea-pull-request.json');
    return {
      ...base, id: pull.number, number: pull.number, title: pull.title, body: pull.body,
      state: pull.state === 'open' ? 'open' : 'closed', merged: pull.state === 'merged',
      url: `https://gitea.example/${pull.repository}/pulls/${pull.number}`, html_url: `https://gitea.example/${pull.repository}/pulls/${pull.number}`,
      head: { ...(base.head as Record<string, unknown>), label: pull.head, ref: pull.head }, base: { ...(base.base as Record<string, unknown>), label: pull.base, ref: pull.base },
    };
  };

  const authorised = (forge: ForgeName, headers: IncomingHttpHeaders) => {
    const token = options.tokens[forge];
    if (forge === 'github') return headers.authorization === `Bearer ${token}` || headers.authorization === `token ${token}`;
    if (forge === 'gitlab') return headers['private-token'] === token || headers.authorization === `Bearer ${token}`;
    return headers.authorization === `token ${token}` || headers.authorization === `Bearer ${token}`;
  };

  type Answer = { status: number; body: unknown };
  const route = (forge: ForgeName, method: string, path: string, query: URLSearchParams, input: Record<string, unknown>): Answer => {
    const known = errors(`${forge}-errors.json`);
    const notFound = { status: 404, body: known.notFound };
    const held = pulls[forge];
    if (forge === 'gitlab') {
      const match = /^\/projects\/([^/]+)\/merge_requests(?:\/(\d+))?$/.exec(path);
      if (!match) return notFound;
      const repository = decodeURIComponent(match[1]);
      const iid = match[2] ? Number(match[2]) : undefined;
      if (method === 'GET' && iid === undefined) {
        const state = query.get('state');
        const found = held.filter((pull) => pull.repository === repository && (state === 'all' || (state === 'merged' ? pull.state === 'merged' : state === null || pull.state === 'open'))
          && (!query.get('source_branch') || pull.head === query.get('source_branch')) && (!query.get('target_branch') || pull.base === query.get('target_branch')));
        return { status: 200, body: found.map((pull) => render(forge, pull)) };
      }
      if (method === 'POST' && iid === undefined) {
        const head = String(input.source_branch ?? '');
        const base = String(input.target_branch ?? '');
        if (!options.branchExists(repository, head)) return { status: 422, body: known.sourceMissing };
        const existing = held.find((pull) => pull.repository === repository && pull.head === head && pull.base === base && pull.state === 'open');
        if (existing) return { status: 409, body: { message: [`Another open merge request already exists for this source branch: !${existing.number}`] } };
        const pull: StoredPullRequest = { number: held.filter((other) => other.repository === repository).length + 1, repository, head, base, title: String(input.title ?? ''), body: String(input.description ?? ''), state: 'open' };
        held.push(pull);
        return { status: 201, body: render(forge, pull) };
      }
      const pull = held.find((candidate) => candidate.repository === repository && candidate.number === iid);
      if (method === 'PUT' && pull) {
        if (typeof input.title === 'string') pull.title = input.title;
        if (typeof input.description === 'string') pull.body = input.description;
        return { status: 200, body: render(forge, pull) };
      }
      return notFound;
    }
    // GitHub and Gitea share the shape /repos/{owner}/{repo}/pulls[/{number}].
    const match = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(path);
    if (!match) return notFound;
    const repository = `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`;
    const number = match[3] ? Number(match[3]) : undefined;
    if (method === 'GET' && number === undefined) {
      const state = query.get('state') ?? 'open';
      let found = held.filter((pull) => pull.repository === repository && (state === 'all' || (state === 'closed' ? pull.state === 'merged' : pull.state === 'open')));
      if (forge === 'github') {
        const head = query.get('head');
        if (head) found = found.filter((pull) => `${repository.split('/')[0]}:${pull.head}` === head);
        if (query.get('base')) found = found.filter((pull) => pull.base === query.get('base'));
        return { status: 200, body: found.map((pull) => render(forge, pull)) };
      }
      const limit = Number(query.get('limit') ?? 30);
      const page = Number(query.get('page') ?? 1);
      return { status: 200, body: found.slice((page - 1) * limit, page * limit).map((pull) => render(forge, pull)) };
    }
    if (method === 'POST' && number === undefined) {
      const head = String(input.head ?? '');
      const base = String(input.base ?? '');
      if (!options.branchExists(repository, head)) return forge === 'github' ? { status: 422, body: known.headInvalid } : notFound;
      const existing = held.find((pull) => pull.repository === repository && pull.head === head && pull.base === base && pull.state === 'open');
      if (existing) return { status: forge === 'github' ? 422 : 409, body: known.exists };
      const pull: StoredPullRequest = { number: held.filter((other) => other.repository === repository).length + 1, repository, head, base, title: String(input.title ?? ''), body: String(input.body ?? ''), state: 'open' };
      held.push(pull);
      return { status: 201, body: render(forge, pull) };
    }
    const pull = held.find((candidate) => candidate.repository === repository && candidate.number === number);
    if (method === 'PATCH' && pull) {
      if (typeof input.title === 'string') pull.title = input.title;
      if (typeof input.body === 'string') pull.body = input.body;
      return { status: pull ? (forge === 'gitea' ? 201 : 200) : 404, body: render(forge, pull) };
    }
    return notFound;
  };

  const prefixes: Array<[ForgeName, string]> = [['github', '/github'], ['gitlab', '/gitlab/api/v4'], ['gitea', '/gitea/api/v1']];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const requestUrl = new URL(request.url ?? '/', 'http://forge.invalid');
      const method = request.method ?? 'GET';
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        response.end(JSON.stringify(payload));
      };
      if (requestUrl.pathname.startsWith('/moved/')) {
        requests.push({ forge: 'redirect', method, path: requestUrl.pathname, headers: request.headers, body });
        reply(307, { message: 'Moved' }, { location: `${options.redirectTo}${requestUrl.pathname}${requestUrl.search}` });
        return;
      }
      const prefix = prefixes.find(([, start]) => requestUrl.pathname.startsWith(`${start}/`));
      if (!prefix) {
        reply(404, { message: 'Not Found' });
        return;
      }
      const [forge, start] = prefix;
      requests.push({ forge, method, path: requestUrl.pathname, headers: request.headers, body });
      if (!authorised(forge, request.headers)) {
        reply(401, errors(`${forge}-errors.json`).unauthorized);
        return;
      }
      if (method !== 'GET' && failingWrites[forge] > 0) {
        failingWrites[forge]--;
        reply(502, { message: 'Server Error' });
        return;
      }
      let input: Record<string, unknown> = {};
      try {
        input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        reply(400, { message: 'Problems parsing JSON' });
        return;
      }
      const answer = route(forge, method, requestUrl.pathname.slice(start.length), requestUrl.searchParams, input);
      reply(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: { github: `${url}/github`, gitlab: `${url}/gitlab/api/v4`, gitea: `${url}/gitea/api/v1` },
    redirectingApiUrl: `${url}/moved/github`,
    requests,
    pulls,
    failNextWrites: (forge, count) => {
      failingWrites[forge] = count;
    },
    markMerged: (forge, repository, number) => {
      const pull = pulls[forge].find((candidate) => candidate.repository === repository && candidate.number === number);
      if (pull) pull.state = 'merged';
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
