import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigLoadError } from './errors.ts';
import { ConfigSourceError, loadConfigFromGit } from './load-git.ts';

const application = (name: string, revision: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  source: {repoURL: https://github.com/org/apps, targetRevision: ${revision}, path: apps/${name}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;

describe('loadConfigFromGit', () => {
  let root: string;
  let repoUrl: string;
  let firstCommit: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: join(root, 'origin'), encoding: 'utf8' }).trim();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tidewater-config-git-'));
    await mkdir(join(root, 'origin', 'clusters', 'prod', 'apps'), { recursive: true });
    git('init', '--quiet', '--initial-branch=main');
    await writeFile(join(root, 'origin', 'clusters', 'prod', 'apps', 'web.yaml'), application('web', 'v1'));
    await writeFile(join(root, 'origin', 'unrelated.yaml'), 'not: config\n');
    git('add', '.');
    git('commit', '--quiet', '-m', 'first');
    firstCommit = git('rev-parse', 'HEAD');
    await writeFile(join(root, 'origin', 'clusters', 'prod', 'apps', 'api.yaml'), application('api', 'v2'));
    git('add', '.');
    git('commit', '--quiet', '-m', 'second');
    repoUrl = `file://${join(root, 'origin')}`;
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('loads the app-of-apps folder at a branch and removes its checkout', async () => {
    const workDir = join(root, 'work');
    const config = await loadConfigFromGit({ url: repoUrl, revision: 'main', path: 'clusters/prod' }, workDir);
    expect(config.applications.map((app) => app.metadata.name).sort()).toEqual(['api', 'web']);
    expect(config.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await readdir(workDir)).toEqual([]);
  });

  it('loads an exact commit', async () => {
    const config = await loadConfigFromGit({ url: repoUrl, revision: firstCommit, path: 'clusters/prod/' }, join(root, 'work'));
    expect(config.applications.map((app) => app.metadata.name)).toEqual(['web']);
    expect(config.commit).toBe(firstCommit);
  });

  it('names files relative to the repository root in errors', async () => {
    const error = await loadConfigFromGit({ url: repoUrl, revision: 'main', path: '.' }, join(root, 'work')).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigLoadError);
    expect((error as ConfigLoadError).errors.map((configError) => configError.file)).toEqual(['unrelated.yaml']);
  });

  it('refuses a path outside the repository', async () => {
    await expect(loadConfigFromGit({ url: repoUrl, revision: 'main', path: '../etc' }, join(root, 'work'))).rejects.toThrow('inside the repository');
  });

  it('reports an unknown revision as a permanent source error without credentials', async () => {
    const url = repoUrl.replace('file://', 'file://user:hunter2@localhost');
    const error = await loadConfigFromGit({ url: repoUrl, revision: 'no-such-branch', path: '.' }, join(root, 'work')).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigSourceError);
    expect((error as ConfigSourceError).retryable).toBe(false);
    expect((error as Error).message).toContain('no-such-branch');
    const withCredentials = await loadConfigFromGit({ url, revision: 'main', path: '.' }, join(root, 'work')).catch((thrown: unknown) => thrown);
    expect((withCredentials as Error).message).not.toContain('hunter2');
  });
});
