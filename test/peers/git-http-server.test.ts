import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkDir, startGitServer, type GitServer } from '../harness/src/index.ts';
import { startGitHttpServer, type GitHttpServer } from '../../bench/peers/git-http-server.ts';
import { receiverPath } from '../../bench/peers/flux-objects.ts';

/** Async git: the server answers in this same process, so a blocking spawnSync would deadlock it. */
function runGit(args: string[], cwd?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolveGit) => {
    execFile('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, stdout, stderr) => {
      resolveGit({ status: error ? Number((error as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr });
    });
  });
}

// The smart-HTTP front the Flux peer fetches through (bench/peers): real git clients against the harness git server.
describe('git http server for the benchmark peers', () => {
  let git: GitServer;
  let http: GitHttpServer;
  const work = makeWorkDir('git-http-test');

  beforeAll(async () => {
    git = await startGitServer();
    http = await startGitHttpServer(git.rootDir);
  });
  afterAll(async () => {
    await http.stop();
    await git.stop();
    work.remove();
  });

  it('serves clones and fetches of what was pushed to the git server', async () => {
    const repo = git.createRepo('team/app');
    const first = await repo.commit({ 'a.txt': 'one\n' }, 'first');
    const target = join(work.dir, 'clone');
    const clone = await runGit(['clone', '--quiet', http.urlOf('team/app'), target]);
    expect(clone.stderr).toBe('');
    expect(clone.status).toBe(0);
    expect((await runGit(['rev-parse', 'HEAD'], target)).stdout.trim()).toBe(first.sha);

    const second = await repo.commit({ 'a.txt': 'two\n' }, 'second');
    expect((await runGit(['pull', '--quiet'], target)).status).toBe(0);
    expect(readFileSync(join(target, 'a.txt'), 'utf8')).toBe('two\n');
    expect((await runGit(['rev-parse', 'HEAD'], target)).stdout.trim()).toBe(second.sha);
  });

  it('refuses pushes and answers a missing repository with an error', async () => {
    git.createRepo('team/locked');
    const refs = await fetch(`${http.urlOf('team/locked')}/info/refs?service=git-receive-pack`);
    expect(refs.status).toBe(403);
    const missing = await runGit(['ls-remote', http.urlOf('team/missing')]);
    expect(missing.status).not.toBe(0);
  });

  it('takes pushes with allowPush (image-automation-controller pushes its commits over HTTP) and runs the hooks', async () => {
    const pushable = await startGitHttpServer(git.rootDir, { allowPush: true });
    const deliveries: string[] = [];
    const hookTarget = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        deliveries.push(body);
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolveListen) => hookTarget.listen(0, '127.0.0.1', resolveListen));
    try {
      const repo = git.createRepo('team/pushed');
      await repo.commit({ 'a.txt': 'one\n' }, 'first');
      repo.setWebhook({ url: `http://127.0.0.1:${(hookTarget.address() as AddressInfo).port}/hook`, secret: 'test-secret' });
      const target = join(work.dir, 'push-clone');
      expect((await runGit(['clone', '--quiet', pushable.urlOf('team/pushed'), target])).status).toBe(0);
      await runGit(['-c', 'user.name=bot', '-c', 'user.email=bot@example.invalid', 'commit', '--quiet', '--allow-empty', '-m', 'from http'], target);
      const pushed = await runGit(['push', '--quiet', 'origin', 'HEAD:main'], target);
      expect(pushed.stderr).not.toContain('error');
      expect(pushed.status).toBe(0);
      const sha = (await runGit(['rev-parse', 'HEAD'], target)).stdout.trim();
      expect(repo.head()).toBe(sha);
      // The post-receive hook ran inside the HTTP push: one signed push webhook naming the new commit.
      expect(deliveries).toHaveLength(1);
      expect(JSON.parse(deliveries[0]!).after).toBe(sha);
    } finally {
      hookTarget.closeAllConnections();
      hookTarget.close();
      await pushable.stop();
    }
  });

  it('computes the Receiver path notification-controller serves (sha256 of token, name, namespace)', () => {
    // echo -n 'tokenlatencyflux-system' | sha256sum
    expect(receiverPath('latency', 'token')).toBe('/hook/8b40a91046f05d43f09ff42d73d9f8a6d20a1e2036c2ff42bbae0cbbf76cab0b');
  });
});
