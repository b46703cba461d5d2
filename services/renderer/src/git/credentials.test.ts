import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Repository } from '@tidewater/config';
import { UnrecoverableError } from 'bullmq';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { gitCredentialEnv, repositoryFor } from './credentials.ts';

const repository = (env: string, provider?: 'github' | 'gitlab', url = 'git@github.com:Org/GitOps.git') => Repository.parse({
  apiVersion: 'tidewater.dev/v1alpha1', kind: 'Repository', metadata: { name: 'gitops' },
  spec: { url, provider, credentialRef: { env } },
});

describe('git credentials', () => {
  const work = makeWorkDir('renderer-credentials');
  afterAll(() => work.remove());

  it('matches a Repository by its normalised URL', () => {
    expect(repositoryFor([repository('X')], 'https://github.com/org/gitops')?.metadata.name).toBe('gitops');
    expect(repositoryFor([repository('X')], 'https://github.com/org/other.git')).toBeUndefined();
  });

  it('passes a token as a URL-scoped extra header, never in the URL', () => {
    process.env.TIDEWATER_SECRET_TW_TEST_TOKEN = 'ghp_example';
    const url = 'https://github.com/org/gitops.git';
    const { env } = gitCredentialEnv(repository('TIDEWATER_SECRET_TW_TEST_TOKEN', 'github', 'https://github.com/Org/GitOps.git'), url, work.dir);
    expect(env.GIT_CONFIG_KEY_0).toBe(`http.${url}.extraHeader`);
    expect(env.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${Buffer.from('x-access-token:ghp_example').toString('base64')}`);
    // A redirect would take the header along to wherever it points: redirects are not followed with a credential.
    expect([env.GIT_CONFIG_KEY_1, env.GIT_CONFIG_VALUE_1]).toEqual(['http.followRedirects', 'false']);
  });

  it.each([
    ['http://github.com/org/gitops.git', 'not sent to http://github.com'],
    ['https://github.com:8443/org/gitops.git', 'not sent to https://github.com:8443'],
    ['git://github.com/org/gitops.git', 'not sent to git://github.com'],
    ['git@github.com:org/gitops.git', 'not sent to ssh://github.com'],
  ])('withholds a token bound to https://github.com from %s', (url, why) => {
    process.env.TIDEWATER_SECRET_TW_TEST_TOKEN = 'ghp_example';
    const credentials = gitCredentialEnv(repository('TIDEWATER_SECRET_TW_TEST_TOKEN', 'github', 'https://github.com/org/gitops.git'), url, work.dir);
    expect(credentials.env).toEqual({});
    expect(credentials.withheld).toContain(why);
    expect(credentials.withheld).not.toContain('ghp_example');
  });

  it('never sends a token of a Repository whose own URL is not https', () => {
    process.env.TIDEWATER_SECRET_TW_TEST_TOKEN = 'ghp_example';
    const credentials = gitCredentialEnv(repository('TIDEWATER_SECRET_TW_TEST_TOKEN', 'github', 'http://github.com/org/gitops.git'), 'http://github.com/org/gitops.git', work.dir);
    expect(credentials.env).toEqual({});
    expect(credentials.withheld).toContain('is bound to a https URL, but spec.url uses http');
  });

  it('uses an SSH key only over ssh to the Repository host', () => {
    process.env.TIDEWATER_SECRET_TW_TEST_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----';
    const credentials = gitCredentialEnv(repository('TIDEWATER_SECRET_TW_TEST_KEY'), 'https://github.com/org/gitops.git', work.dir);
    expect(credentials.env).toEqual({});
    expect(credentials.withheld).toContain('not sent to https://github.com');
  });

  it('writes an SSH key to a private file and removes it on dispose', () => {
    process.env.TIDEWATER_SECRET_TW_TEST_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----';
    const credentials = gitCredentialEnv(repository('TIDEWATER_SECRET_TW_TEST_KEY'), 'git@github.com:org/gitops.git', work.dir);
    const keyFile = /-i '([^']+)'/.exec(credentials.env.GIT_SSH_COMMAND)![1];
    expect(readFileSync(keyFile, 'utf8')).toContain('OPENSSH PRIVATE KEY');
    expect(statSync(keyFile).mode & 0o077).toBe(0);
    expect(credentials.env.GIT_SSH_COMMAND).toContain('BatchMode=yes');
    credentials.dispose();
    expect(existsSync(keyFile)).toBe(false);
  });

  it('fails permanently, naming the reference, when the secret is missing', () => {
    delete process.env.TIDEWATER_SECRET_TW_TEST_MISSING;
    const attempt = () => gitCredentialEnv(repository('TIDEWATER_SECRET_TW_TEST_MISSING'), 'https://github.com/org/gitops.git', work.dir);
    expect(attempt).toThrow(UnrecoverableError);
    expect(attempt).toThrow('credentials for repository gitops are unavailable: env TIDEWATER_SECRET_TW_TEST_MISSING is not set');
  });
});
