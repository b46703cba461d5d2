import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkDir, startGitServer, type GitServer } from '../src/index.ts';

describe('startGitServer', () => {
  let server: GitServer;
  beforeAll(async () => { server = await startGitServer(); });
  afterAll(async () => { await server?.stop(); });

  it('serves pushed commits over git:// to a clone by URL', async () => {
    const repo = server.createRepo('org/deploy');
    expect(repo.url).toMatch(/^git:\/\/127\.0\.0\.1:\d+\/org\/deploy\.git$/);
    const first = await repo.commit({ 'apps/web/config.yaml': 'replicas: 1\n' }, 'first');
    const second = await repo.commit({ 'apps/web/config.yaml': 'replicas: 2\n', 'README.md': 'hi\n' }, 'second');
    expect(second.changedPaths.sort()).toEqual(['README.md', 'apps/web/config.yaml']);
    expect(repo.head()).toBe(second.sha);
    expect(first.sha).not.toBe(second.sha);

    const work = makeWorkDir('clone');
    const clone = spawnSync('git', ['clone', '--quiet', repo.url, join(work.dir, 'c')], { encoding: 'utf8' });
    expect(clone.stderr).toBe('');
    expect(readFileSync(join(work.dir, 'c/apps/web/config.yaml'), 'utf8')).toBe('replicas: 2\n');
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: join(work.dir, 'c'), encoding: 'utf8' }).stdout.trim();
    expect(head).toBe(second.sha);
    work.remove();
  });

  it('deletes paths and works on other branches', async () => {
    const repo = server.createRepo('other');
    await repo.commit({ 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 1\n' }, 'two files');
    const removed = await repo.commit({ 'b.yaml': null }, 'remove b');
    expect(removed.changedPaths).toEqual(['b.yaml']);
    const staging = await repo.commit({ 'c.yaml': 'c: 1\n' }, 'staging', { branch: 'staging' });
    expect(repo.head('staging')).toBe(staging.sha);
    expect(repo.head('main')).toBe(removed.sha);
  });
});

describe('git server webhooks', () => {
  it('delivers a push as a signed GitHub push webhook with the changed paths', async () => {
    const { createServer } = await import('node:http');
    const { createHmac } = await import('node:crypto');
    const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
    const listener = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(202).end('{}'); });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as { port: number }).port;
    const server = await startGitServer();
    try {
      const repo = server.createRepo('org/hooked');
      repo.setWebhook({ url: `http://127.0.0.1:${port}/webhooks/git/github`, secret: 's3cret' });
      const first = await repo.commit({ 'apps/a/cm.yaml': 'a: 1\n' }, 'add a');
      const second = await repo.commit({ 'apps/a/cm.yaml': null, 'apps/b/cm.yaml': 'b: 1\n' }, 'move a to b');
      expect(received).toHaveLength(2);
      const { headers, body } = received[1];
      expect(headers['x-github-event']).toBe('push');
      expect(headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
      const payload = JSON.parse(body);
      expect(payload).toMatchObject({ ref: 'refs/heads/main', before: first.sha, after: second.sha, repository: { clone_url: repo.url, full_name: 'org/hooked' } });
      expect(payload.commits[0]).toMatchObject({ id: second.sha, message: 'move a to b', added: ['apps/b/cm.yaml'], removed: ['apps/a/cm.yaml'] });
    } finally {
      await server.stop();
      listener.close();
    }
  });
});
