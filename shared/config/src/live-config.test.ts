import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TidewaterConfig } from './build-config.ts';
import { configPollIntervalMsFrom, createLiveConfig } from './live-config.ts';
import { configSourceHead } from './load-git.ts';
import { loadConfigSource } from './load-source.ts';

const application = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  source: {repoURL: https://github.com/org/apps, targetRevision: main, path: apps/${name}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('live configuration of a git:: source', () => {
  let root: string;
  let source: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: join(root, 'origin'), encoding: 'utf8' }).trim();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tidewater-live-config-'));
    await mkdir(join(root, 'origin', 'config'), { recursive: true });
    git('init', '--quiet', '--initial-branch=main');
    await writeFile(join(root, 'origin', 'config', 'web.yaml'), application('web'));
    git('add', '.');
    git('commit', '--quiet', '-m', 'first');
    source = `git::file://${join(root, 'origin')}//config?ref=main`;
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reloads when a poll finds a new commit of the followed branch, and not before', async () => {
    const initial = await loadConfigSource(source, join(root, 'work'));
    let current: TidewaterConfig = initial;
    let loads = 0;
    const live = createLiveConfig({
      source, initial, logger: quiet, pollIntervalMs: 50,
      load: async (from) => { loads += 1; return loadConfigSource(from, join(root, 'work')); },
      apply: (next) => { current = next; },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(loads).toBe(0); // the head did not move
      await writeFile(join(root, 'origin', 'config', 'api.yaml'), application('api'));
      git('add', '.');
      git('commit', '--quiet', '-m', 'second');
      await until('the new application', () => current.applications.some((app) => app.metadata.name === 'api') || undefined);
      expect((current as TidewaterConfig & { commit?: string }).commit).toBe(git('rev-parse', 'HEAD'));
    } finally {
      live.close();
    }
  });

  it('keeps the previous configuration when a reload fails, and runs overlapping reloads once after each other', async () => {
    const initial = await loadConfigSource(source, join(root, 'work'));
    let applied = 0;
    const errors: string[] = [];
    let fail = true;
    const live = createLiveConfig({
      source, initial, pollIntervalMs: 0,
      logger: { ...quiet, error: (fields: object) => { errors.push((fields as { reason: string }).reason); } },
      load: async (from) => {
        if (fail) throw new Error('apps/web.yaml: document 0 (web): spec.destination: exactly one of server or name is required');
        return loadConfigSource(from, join(root, 'work'));
      },
      apply: () => { applied += 1; },
    });
    expect(await live.reload('signal')).toBe(false);
    expect(applied).toBe(0);
    expect(errors[0]).toMatch(/spec.destination/);
    fail = false;
    await Promise.all([live.reload('webhook'), live.reload('webhook'), live.reload('signal')]);
    await until('the queued reload', () => (applied >= 2 ? true : undefined));
    live.close();
  });

  it('asks the head of a branch without fetching, and names a missing branch', async () => {
    const parsed = { url: `file://${join(root, 'origin')}`, path: 'config', revision: 'main' };
    expect(await configSourceHead(parsed)).toBe(git('rev-parse', 'HEAD'));
    await expect(configSourceHead({ ...parsed, revision: 'nope' })).rejects.toThrow(/at nope: no such branch or tag/);
    expect(configPollIntervalMsFrom({ TIDEWATER_CONFIG_POLL_INTERVAL_MS: '0' })).toBe(0);
    expect(() => configPollIntervalMsFrom({ TIDEWATER_CONFIG_POLL_INTERVAL_MS: 'soon' })).toThrow(/TIDEWATER_CONFIG_POLL_INTERVAL_MS/);
  });
});
