import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { makeWorkDir, startGitServer, startRedis, type GitRepo, type GitServer, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { createPromoterGit } from '../git/promoter-git.ts';
import { writeBack, type FileEdit } from './write-back.ts';

const author = { name: 'argocd-image-updater', email: 'noreply@argoproj.io' };

describe('write-back through the real git server', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let git: GitServer;
  let repo: GitRepo;
  const work = makeWorkDir('promoter-write-back');
  const log = (format: string) => execFileSync('git', ['--git-dir', repo.gitDir, 'log', `--format=${format}`, 'main'], { encoding: 'utf8' }).trim().split('\n');
  const show = (path: string) => execFileSync('git', ['--git-dir', repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });

  /** Another writer's push from a fresh clone (the harness's own checkout does not know the promoter's commits). */
  const pushFromClone = async (changes: Record<string, string | { symlinkTo: string }>, message: string) => {
    const run = promisify(execFile);
    const dir = join(work.dir, `clone-${Math.random().toString(16).slice(2)}`);
    const env = { ...process.env, GIT_AUTHOR_NAME: 'Human', GIT_AUTHOR_EMAIL: 'h@example.com', GIT_COMMITTER_NAME: 'Human', GIT_COMMITTER_EMAIL: 'h@example.com' };
    await run('git', ['clone', '--quiet', repo.url, dir], { env });
    for (const [path, content] of Object.entries(changes)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      if (typeof content === 'string') writeFileSync(join(dir, path), content);
      else symlinkSync(content.symlinkTo, join(dir, path));
    }
    await run('git', ['add', '-A'], { cwd: dir, env });
    await run('git', ['commit', '--quiet', '-m', message], { cwd: dir, env });
    await run('git', ['push', '--quiet', 'origin', 'HEAD:main'], { cwd: dir, env });
  };

  beforeAll(async () => {
    [redisServer, git] = await Promise.all([startRedis(), startGitServer()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    repo = git.createRepo('acme/deploy');
    await repo.commit({ 'apps/a/values.txt': 'a=1\n', 'apps/b/values.txt': 'b=1\n', 'README.md': 'x\n' }, 'seed');
  });
  afterAll(async () => {
    redis?.disconnect();
    await git?.stop();
    await redisServer?.stop();
    work.remove();
  });

  const setLine = (file: string, value: string) => (current: string | undefined): FileEdit =>
    current?.includes(value) ? { kind: 'skip', reason: 'already' } : { kind: 'write', text: `${current ?? ''}${value}\n`, message: `set ${file} ${value}` };

  it('serialises concurrent write-backs to one repository and branch: every change lands, none forced', async () => {
    const promoterGit = createPromoterGit();
    // Two replicas (separate clone caches), one Redis lock.
    const results = await Promise.all(Array.from({ length: 6 }, (_unused, index) => writeBack(
      { redis, git: promoterGit, cacheDir: join(work.dir, `replica-${index % 2}`) },
      { repoUrl: repo.url, branch: 'main', file: `apps/${index % 2 ? 'b' : 'a'}/values.txt`, edit: setLine('x', `v=${index}`), author },
    )));
    expect(results.every((result) => result.kind === 'committed')).toBe(true);
    expect(log('%s').filter((subject) => subject.startsWith('set '))).toHaveLength(6);
    const all = show('apps/a/values.txt') + show('apps/b/values.txt');
    for (let index = 0; index < 6; index++) expect(all).toContain(`v=${index}`);
  });

  it('a push rejected because the branch moved is fetched and re-applied on the new head', async () => {
    const promoterGit = createPromoterGit();
    let raced = false;
    const result = await writeBack({ redis, git: promoterGit, cacheDir: join(work.dir, 'race') }, {
      repoUrl: repo.url, branch: 'main', file: 'apps/a/values.txt', author,
      edit: async (current) => {
        if (!raced) {
          raced = true;
          // Someone else pushes between our fetch and our push.
          await pushFromClone({ 'README.md': 'changed by a human\n' }, 'human change');
        }
        return { kind: 'write', text: `${current ?? ''}raced=1\n`, message: 'after a race' };
      },
    });
    expect(result).toMatchObject({ kind: 'committed', attempts: 2 });
    expect(log('%s').slice(0, 2)).toEqual(['after a race', 'human change']);
    expect(show('README.md')).toBe('changed by a human\n');
  });

  it('commits nothing when the file already holds the change', async () => {
    const head = repo.head();
    const result = await writeBack({ redis, git: createPromoterGit(), cacheDir: join(work.dir, 'same') }, {
      repoUrl: repo.url, branch: 'main', file: 'apps/a/values.txt', author,
      edit: (current) => ({ kind: 'write', text: current ?? '', message: 'no-op' }),
    });
    expect(result.kind).toBe('unchanged');
    expect(repo.head()).toBe(head);
  });

  it('refuses a target path that leaves the repository or goes through a symlink', async () => {
    await pushFromClone({ 'hostile/escape': { symlinkTo: '/etc' } }, 'add a symlink');
    const attempt = (file: string) => writeBack({ redis, git: createPromoterGit(), cacheDir: join(work.dir, 'hostile') }, {
      repoUrl: repo.url, branch: 'main', file, author, edit: () => ({ kind: 'write', text: 'pwned\n', message: 'x' }),
    });
    await expect(attempt('../outside.yaml')).rejects.toThrow(/outside the repository/);
    await expect(attempt('hostile/escape/passwd')).rejects.toThrow(/symbolic link/);
  });
});
