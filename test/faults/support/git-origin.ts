import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import {
  describePush, freePort, makeWorkDir, raceExit, sendGithubPush, startProcess, waitFor, type ManagedProcess,
} from '../../harness/src/index.ts';

const gitEnv = {
  GIT_AUTHOR_NAME: 'Tidewater Fault', GIT_AUTHOR_EMAIL: 'fault@tidewater.invalid',
  GIT_COMMITTER_NAME: 'Tidewater Fault', GIT_COMMITTER_EMAIL: 'fault@tidewater.invalid',
  GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C',
};

function git(cwd: string, args: string[]): string {
  const result = spawnSync('git', args, { cwd, env: { ...process.env, ...gitEnv }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/**
 * One repository served by `git daemon` on a fixed port that a test can stop and start again (the git server
 * down). Commits are pushed to the bare repository on disk, so they land while the daemon is down too; the push
 * webhook is sent by `notify`, signed as GitHub signs it.
 */
export interface GitOrigin {
  url: string;
  fullName: string;
  commit(changes: Record<string, string | null>, message: string): string;
  head(): string;
  /** Sends the GitHub push webhook of `before..after` to the gateway; returns the HTTP status. */
  notify(gatewayUrl: string, secret: string, before: string, after: string): Promise<number>;
  stopDaemon(): Promise<void>;
  startDaemon(): Promise<void>;
  stop(): Promise<void>;
}

export async function startGitOrigin(name = 'acme/fault-repo'): Promise<GitOrigin> {
  const work = makeWorkDir('git-origin');
  const root = join(work.dir, 'repos');
  const bare = join(root, `${name}.git`);
  const checkout = join(work.dir, 'checkout');
  mkdirSync(dirname(bare), { recursive: true });
  git(work.dir, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  git(work.dir, ['init', '--quiet', '--initial-branch=main', checkout]);
  git(checkout, ['remote', 'add', 'origin', bare]);
  const port = await freePort();
  const url = `git://127.0.0.1:${port}/${name}.git`;
  let daemon: ManagedProcess | undefined;

  const listening = () => new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  });

  async function startDaemon() {
    daemon = startProcess('git-daemon', 'git', [
      'daemon', '--reuseaddr', '--export-all', `--base-path=${root}`, '--listen=127.0.0.1', `--port=${port}`, '--informative-errors', root,
    ], { cwd: work.dir, logDir: work.dir });
    await raceExit(daemon, waitFor('git daemon to listen', listening, { timeoutMs: 10_000, intervalMs: 50 }));
  }
  await startDaemon();

  return {
    url, fullName: name, startDaemon,
    commit(changes, message) {
      for (const [path, content] of Object.entries(changes)) {
        const target = join(checkout, path);
        if (content === null) rmSync(target, { force: true, recursive: true });
        else {
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, content);
        }
      }
      git(checkout, ['add', '--all']);
      git(checkout, ['commit', '--quiet', '--allow-empty', '-m', message]);
      git(checkout, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
      return git(checkout, ['rev-parse', 'HEAD']);
    },
    head: () => git(bare, ['rev-parse', 'refs/heads/main']),
    async notify(gatewayUrl, secret, before, after) {
      const response = await sendGithubPush(`${gatewayUrl}/webhooks/git/github`, secret, {
        cloneUrl: url, fullName: name, ref: 'refs/heads/main', before, after, commits: describePush(bare, 'refs/heads/main', before, after),
      });
      return response.status;
    },
    async stopDaemon() {
      await daemon?.stop();
      daemon = undefined;
      await waitFor('git daemon to stop listening', async () => !(await listening()), { timeoutMs: 10_000, intervalMs: 50 });
    },
    async stop() {
      await daemon?.stop();
      work.remove();
    },
  };
}
