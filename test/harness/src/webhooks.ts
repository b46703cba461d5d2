import { createHmac, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';

/** What a provider's push webhook says about one commit. */
export interface PushedCommit {
  id: string;
  message: string;
  timestamp: string;
  author: { name: string; email: string };
  added: string[];
  removed: string[];
  modified: string[];
}

export interface PushDescription {
  /** Clone URL of the repository as the provider would report it. */
  cloneUrl: string;
  /** `org/name` */
  fullName: string;
  ref: string;
  before: string;
  after: string;
  commits: PushedCommit[];
  defaultBranch?: string;
  pusher?: string;
}

const zeroSha = '0000000000000000000000000000000000000000';

/** Reads commits between `before` and `after` from a (bare) repository, with their changed paths. */
export function describePush(gitDir: string, ref: string, before: string, after: string): PushedCommit[] {
  if (after === zeroSha) return [];
  const range = before === zeroSha ? after : `${before}..${after}`;
  const log = spawnSync('git', ['--git-dir', gitDir, 'log', '--reverse', '--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s', range], { encoding: 'utf8' });
  if (log.status !== 0) throw new Error(`git log ${range} failed: ${log.stderr}`);
  void ref;
  return log.stdout.split('\n').filter(Boolean).map((line) => {
    const [id, name, email, timestamp, message] = line.split('\x1f');
    const diff = spawnSync('git', ['--git-dir', gitDir, 'diff-tree', '--root', '--no-commit-id', '--name-status', '-r', id], { encoding: 'utf8' });
    const commit: PushedCommit = { id, message, timestamp, author: { name, email }, added: [], removed: [], modified: [] };
    for (const entry of diff.stdout.split('\n').filter(Boolean)) {
      const [status, path] = entry.split('\t');
      if (status.startsWith('A')) commit.added.push(path);
      else if (status.startsWith('D')) commit.removed.push(path);
      else commit.modified.push(path);
    }
    return commit;
  });
}

/** A GitHub `push` event body, in GitHub's shape (the fields Tidewater and most consumers read). */
export function githubPushPayload(push: PushDescription): Record<string, unknown> {
  const [owner, name] = push.fullName.split('/');
  const head = push.commits.at(-1);
  const toGithub = (c: PushedCommit) => ({
    id: c.id, tree_id: c.id, distinct: true, message: c.message, timestamp: c.timestamp,
    url: `${push.cloneUrl}/commit/${c.id}`,
    author: { ...c.author, username: c.author.name }, committer: { ...c.author, username: c.author.name },
    added: c.added, removed: c.removed, modified: c.modified,
  });
  return {
    ref: push.ref, before: push.before, after: push.after,
    created: push.before === zeroSha, deleted: push.after === zeroSha, forced: false,
    base_ref: null, compare: `${push.cloneUrl}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`,
    commits: push.commits.map(toGithub),
    head_commit: head ? toGithub(head) : null,
    repository: {
      id: 1, name, full_name: push.fullName, private: false, owner: { name: owner, login: owner },
      html_url: push.cloneUrl.replace(/\.git$/, ''), clone_url: push.cloneUrl, git_url: push.cloneUrl,
      ssh_url: push.cloneUrl, default_branch: push.defaultBranch ?? 'main', master_branch: push.defaultBranch ?? 'main',
    },
    pusher: { name: push.pusher ?? head?.author.name ?? 'tidewater', email: head?.author.email ?? 'test@tidewater.invalid' },
    sender: { login: push.pusher ?? head?.author.name ?? 'tidewater', id: 1, type: 'User' },
  };
}

export function signGithub(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The headers GitHub sends with a webhook delivery. */
export function githubHeaders(event: string, body: string, secret: string | undefined, deliveryId: string = randomUUID()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/tidewater-test',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-github-hook-id': '1',
    ...(secret ? { 'x-hub-signature-256': signGithub(secret, body) } : {}),
  };
}

/** POSTs a signed GitHub push for `push` to `url`; resolves with the HTTP status and body. */
export async function sendGithubPush(url: string, secret: string, push: PushDescription, deliveryId?: string): Promise<{ status: number; body: string; deliveryId: string }> {
  const body = JSON.stringify(githubPushPayload(push));
  const headers = githubHeaders('push', body, secret, deliveryId);
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text(), deliveryId: headers['x-github-delivery'] };
}
