import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSecretRef, resolveSecret, SecretRefError, secretRefScopeProblem, secretScopeFromEnv } from './secrets.ts';

describe('resolveSecret', () => {
  let dir: string;
  let outside: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidewater-secret-'));
    outside = await mkdtemp(join(tmpdir(), 'tidewater-not-secret-'));
    env = { TIDEWATER_SECRET_DIRS: dir };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('reads an env var with the secret prefix', () => {
    expect(resolveSecret({ env: 'TIDEWATER_SECRET_GH' }, { TIDEWATER_SECRET_GH: 's3cret\n' })).toBe('s3cret');
  });

  it('reads a file under a secret directory without its trailing newline', async () => {
    const file = join(dir, 'webhook');
    await writeFile(file, 'from-file\n');
    expect(resolveSecret({ file }, env)).toBe('from-file');
  });

  it('names the reference, never a value, when it cannot resolve', () => {
    expect(() => resolveSecret({ env: 'TIDEWATER_SECRET_GH' }, {})).toThrow(new SecretRefError({ env: 'TIDEWATER_SECRET_GH' }, 'is not set'));
    expect(() => resolveSecret({ env: 'TIDEWATER_SECRET_GH' }, {})).toThrow('env TIDEWATER_SECRET_GH is not set');
    expect(() => resolveSecret({ file: join(dir, 'missing') }, env)).toThrow(`file ${join(dir, 'missing')} cannot be read (ENOENT)`);
    expect(describeSecretRef({ env: 'A' })).toBe('env A');
  });

  it('refuses variables without the prefix and files outside the secret directories, even when they exist', async () => {
    const leaky = { ...env, REDIS_PASSWORD: 'redis-pw', AWS_SECRET_ACCESS_KEY: 'aws-key' };
    expect(() => resolveSecret({ env: 'REDIS_PASSWORD' }, leaky)).toThrow(/env REDIS_PASSWORD is outside the secret scope: .*TIDEWATER_SECRET_/);
    expect(() => resolveSecret({ env: 'AWS_SECRET_ACCESS_KEY' }, leaky)).toThrow(SecretRefError);
    expect(() => resolveSecret({ env: 'TIDEWATER_SECRET_DIRS' }, leaky)).toThrow(/outside the secret scope/);
    const plain = join(outside, 'not-a-secret');
    await writeFile(plain, 'host file');
    expect(() => resolveSecret({ file: plain }, env)).toThrow(/outside the secret scope/);
    expect(() => resolveSecret({ file: `${dir}/../${plain.split('/').slice(-2).join('/')}` }, env)).toThrow(/must not contain \.\. segments/);
    expect(() => resolveSecret({ file: 'relative/path' }, env)).toThrow(/must be an absolute path/);
  });

  it('refuses a file whose symlink leads out of the secret directory', async () => {
    const target = join(outside, 'environ-copy');
    await writeFile(target, 'PATH=/usr/bin\nAWS_SECRET_ACCESS_KEY=aws-key\n');
    await symlink(target, join(dir, 'looks-inside'));
    await symlink('/proc/self/environ', join(dir, 'environ'));
    expect(() => resolveSecret({ file: join(dir, 'looks-inside') }, env)).toThrow(/resolves \(through a symlink\) outside the secret directories/);
    expect(() => resolveSecret({ file: join(dir, 'environ') }, env)).toThrow(/outside the secret directories/);
    // Kubernetes' Secret volumes are symlinks within the directory (`key -> ..data/key`): those are followed.
    await mkdir(join(dir, '..2026_11_29'));
    await writeFile(join(dir, '..2026_11_29', 'token'), 'mounted');
    await symlink('..2026_11_29', join(dir, '..data'));
    await symlink('..data/token', join(dir, 'token'));
    expect(resolveSecret({ file: join(dir, 'token') }, env)).toBe('mounted');
  });
});

describe('secretScopeFromEnv', () => {
  it('defaults to the TIDEWATER_SECRET_ prefix and the conventional mount directories', () => {
    expect(secretScopeFromEnv({})).toEqual({ envPrefix: 'TIDEWATER_SECRET_', dirs: ['/var/run/secrets/tidewater', '/run/secrets/tidewater'] });
  });

  it('takes a per-service prefix and colon-separated directories, and refuses relative ones', () => {
    const scope = secretScopeFromEnv({ TIDEWATER_SECRET_ENV_PREFIX: 'NOTIFIER_SECRET_', TIDEWATER_SECRET_DIRS: '/etc/notifier/secrets/:/mnt/slack' });
    expect(scope).toEqual({ envPrefix: 'NOTIFIER_SECRET_', dirs: ['/etc/notifier/secrets', '/mnt/slack'] });
    expect(secretRefScopeProblem({ env: 'NOTIFIER_SECRET_SLACK' }, scope)).toBeUndefined();
    expect(secretRefScopeProblem({ env: 'TIDEWATER_SECRET_GH' }, scope)).toMatch(/must name a variable starting with NOTIFIER_SECRET_/);
    expect(secretRefScopeProblem({ env: 'NOTIFIER_SECRET_' }, scope)).toMatch(/outside the secret scope/);
    expect(secretRefScopeProblem({ file: '/mnt/slack/token' }, scope)).toBeUndefined();
    expect(secretRefScopeProblem({ file: '/mnt/slack' }, scope)).toMatch(/outside the secret scope/);
    expect(secretRefScopeProblem({ file: '/mnt/slackers/token' }, scope)).toMatch(/outside the secret scope/);
    expect(() => secretScopeFromEnv({ TIDEWATER_SECRET_DIRS: 'secrets' })).toThrow(/TIDEWATER_SECRET_DIRS: secrets is not an absolute directory/);
    expect(() => secretScopeFromEnv({ TIDEWATER_SECRET_ENV_PREFIX: 'A-B' })).toThrow(/TIDEWATER_SECRET_ENV_PREFIX/);
  });
});
