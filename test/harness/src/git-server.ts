import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './ports.ts';
import { raceExit, startProcess } from './process.ts';
import { waitFor } from './wait.ts';
import { makeWorkDir } from './workdir.ts';
import { repoRoot } from './paths.ts';

const hookScript = join(repoRoot, 'test/harness/bin/github-push-hook.ts');

/** A file tree change: path → new content, or null to delete the path. */
export type ChangeSet = Record<string, string | null>;

export interface CommitResult {
  sha: string;
  /** Paths touched by the commit, relative to the repository root. */
  changedPaths: string[];
  branch: string;
}

export interface GitRepo {
  name: string;
  /** Clone URL over the network transport (git://). */
  url: string;
  /** Applies a change set on `branch` (default main), commits and pushes; returns the new commit. */
  commit(changes: ChangeSet, message: string, options?: { branch?: string; author?: string }): Promise<CommitResult>;
  /** Replaces the tree under `prefix` (default: the repository root) with a copy of `sourceDir`, commits, pushes. */
  commitDirectory(sourceDir: string, message: string, options?: { branch?: string; prefix?: string }): Promise<CommitResult>;
  /** Current head of a branch on the server. */
  head(branch?: string): string;
  /** Path of the bare repository on the server. */
  gitDir: string;
  /**
   * Installs a post-receive hook that delivers every push as a signed GitHub `push` webhook to `url`
   * (pass undefined to remove it). The push waits for the delivery, as the hook runs inside it.
   */
  setWebhook(webhook: { url: string; secret: string } | undefined): void;
}

export interface GitServer {
  baseUrl: string;
  rootDir: string;
  createRepo(name: string): GitRepo;
  stop(): Promise<void>;
}

const gitEnv = {
  GIT_AUTHOR_NAME: 'Tidewater Test', GIT_AUTHOR_EMAIL: 'test@tidewater.invalid',
  GIT_COMMITTER_NAME: 'Tidewater Test', GIT_COMMITTER_EMAIL: 'test@tidewater.invalid',
  GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C',
};

/** Async git, for commands that may wait on this process (a push whose hook posts to a server in this process). */
function gitAsync(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolveGit, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...gitEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => code === 0 ? resolveGit(stdout.trim()) : reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr.trim()}`)));
  });
}

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync('git', args, { cwd, env: { ...process.env, ...gitEnv, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** `git daemon` serving bare repositories over git:// on a free loopback port, pushes enabled. */
export async function startGitServer(): Promise<GitServer> {
  const work = makeWorkDir('git');
  const rootDir = join(work.dir, 'repos');
  const checkoutsDir = join(work.dir, 'checkouts');
  mkdirSync(rootDir);
  mkdirSync(checkoutsDir);
  const port = await freePort();
  const daemon = startProcess('git-daemon', 'git', [
    'daemon', '--reuseaddr', '--export-all', '--enable=receive-pack', `--base-path=${rootDir}`,
    `--listen=127.0.0.1`, `--port=${port}`, '--informative-errors', rootDir,
  ], { cwd: work.dir, logDir: work.dir });
  await raceExit(daemon, waitFor('git daemon to listen', () => new Promise<boolean>((resolveConnect) => {
    const socket = connect(port, '127.0.0.1', () => { socket.end(); resolveConnect(true); });
    socket.on('error', () => resolveConnect(false));
  }), { timeoutMs: 10_000, intervalMs: 50 }));
  const baseUrl = `git://127.0.0.1:${port}`;

  function createRepo(name: string): GitRepo {
    const bare = join(rootDir, `${name}.git`);
    mkdirSync(dirname(bare), { recursive: true });
    git(rootDir, ['init', '--bare', '--initial-branch=main', bare]);
    const url = `${baseUrl}/${name}.git`;
    const checkout = join(checkoutsDir, name);
    mkdirSync(dirname(checkout), { recursive: true });
    git(checkoutsDir, ['clone', '--quiet', url, checkout]);

    function switchTo(branch: string) {
      const known = git(checkout, ['branch', '--list', branch]);
      if (known) git(checkout, ['checkout', '--quiet', branch]);
      else git(checkout, ['checkout', '--quiet', '--orphan', branch]);
    }

    async function finish(message: string, branch: string, author?: string): Promise<CommitResult> {
      git(checkout, ['add', '--all']);
      const authorArgs = author ? [`--author=${author}`] : [];
      git(checkout, ['commit', '--quiet', '--allow-empty', '-m', message, ...authorArgs]);
      await gitAsync(checkout, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      const sha = git(checkout, ['rev-parse', 'HEAD']);
      const parents = git(checkout, ['rev-list', '--parents', '-n', '1', 'HEAD']).split(' ').slice(1);
      const changed = parents.length
        ? git(checkout, ['diff', '--name-only', parents[0], sha])
        : git(checkout, ['ls-tree', '-r', '--name-only', sha]);
      return { sha, branch, changedPaths: changed ? changed.split('\n') : [] };
    }

    return {
      name,
      url,
      gitDir: bare,
      setWebhook(webhook) {
        const hook = join(bare, 'hooks', 'post-receive');
        if (!webhook) {
          rmSync(hook, { force: true });
          return;
        }
        const secretFile = join(bare, 'tidewater-webhook-secret');
        writeFileSync(secretFile, webhook.secret, { mode: 0o600 });
        const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
        writeFileSync(hook, [
          '#!/bin/sh',
          `export TIDEWATER_HOOK_URL=${quote(webhook.url)}`,
          `export TIDEWATER_HOOK_SECRET_FILE=${quote(secretFile)}`,
          `export TIDEWATER_HOOK_REPO=${quote(name.includes('/') ? name : `local/${name}`)}`,
          `export TIDEWATER_HOOK_CLONE_URL=${quote(url)}`,
          `exec ${quote(process.execPath)} ${quote(hookScript)}`,
          '',
        ].join('\n'), { mode: 0o755 });
      },
      async commit(changes, message, options = {}) {
        const branch = options.branch ?? 'main';
        switchTo(branch);
        for (const [path, content] of Object.entries(changes)) {
          const target = join(checkout, path);
          if (content === null) rmSync(target, { recursive: true, force: true });
          else {
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, content);
          }
        }
        return finish(message, branch, options.author);
      },
      async commitDirectory(sourceDir, message, options = {}) {
        const branch = options.branch ?? 'main';
        switchTo(branch);
        const target = options.prefix ? join(checkout, options.prefix) : checkout;
        if (existsSync(target)) {
          for (const entry of readdirSync(target)) if (entry !== '.git') rmSync(join(target, entry), { recursive: true, force: true });
        }
        mkdirSync(target, { recursive: true });
        cpSync(sourceDir, target, { recursive: true });
        return finish(message, branch);
      },
      head(branch = 'main') {
        return git(bare, ['rev-parse', `refs/heads/${branch}`]);
      },
    };
  }

  return {
    baseUrl,
    rootDir,
    createRepo,
    async stop() {
      await daemon.stop();
      work.remove();
    },
  };
}
