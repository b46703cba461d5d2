import { describe, it, expect } from 'vitest';
import type { ArgoApplication } from '@tidewater/config';
import type { NormalisedPush } from '../push/normalised-push.ts';
import { affectedApplications, isInside, targetRevisionMatchesRef } from './affected-applications.ts';

const repo = 'https://github.com/acme/platform.git';
const normalisedRepo = 'github.com/acme/platform';

function application(name: string, source: { repoURL?: string; targetRevision?: string; path?: string }): ArgoApplication {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name },
    spec: {
      project: 'default',
      source: { repoURL: source.repoURL ?? repo, targetRevision: source.targetRevision ?? 'HEAD', path: source.path ?? '.' },
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
    },
  };
}

function push(overrides: Partial<NormalisedPush> = {}): NormalisedPush {
  return {
    provider: 'github', deliveryId: 'd-1', repoUrls: [normalisedRepo], ref: 'refs/heads/main', branch: 'main',
    before: 'a'.repeat(40), after: 'b'.repeat(40), revision: 'b'.repeat(40), deleted: false,
    changedPaths: undefined, defaultBranch: 'main', ...overrides,
  };
}

describe('targetRevisionMatchesRef', () => {
  const cases: Array<[string | undefined, string, string | undefined, boolean]> = [
    ['HEAD', 'refs/heads/main', 'main', true],
    ['HEAD', 'refs/heads/master', 'main', false],
    ['HEAD', 'refs/heads/trunk', 'trunk', true],
    ['HEAD', 'refs/heads/main', undefined, true],
    ['HEAD', 'refs/heads/master', undefined, true],
    ['HEAD', 'refs/heads/develop', undefined, false],
    ['', 'refs/heads/main', 'main', true],
    [undefined, 'refs/heads/main', 'main', true],
    ['HEAD', 'refs/tags/main', 'main', false],
    ['main', 'refs/heads/main', 'main', true],
    ['main', 'refs/heads/main-2', 'main', false],
    ['refs/heads/main', 'refs/heads/main', 'main', true],
    ['refs/heads/main', 'refs/tags/main', 'main', false],
    ['heads/release', 'refs/heads/release', 'main', true],
    ['feature/x', 'refs/heads/feature/x', 'main', true],
    ['v1.2.0', 'refs/tags/v1.2.0', 'main', true],
    ['v1.2.0', 'refs/tags/v1.2.1', 'main', false],
    ['refs/tags/v1.2.0', 'refs/tags/v1.2.0', 'main', true],
    ['tags/v1.2.0', 'refs/tags/v1.2.0', 'main', true],
    ['v1.2.0', 'refs/heads/main', 'main', false],
    ['0123456789abcdef0123456789abcdef01234567', 'refs/heads/main', 'main', false],
    ['0123456789abcdef0123456789abcdef01234567', 'refs/heads/0123456789abcdef0123456789abcdef01234567', 'main', false],
  ];
  it.each(cases)('targetRevision %j vs %s (default %s) → %s', (targetRevision, ref, defaultBranch, expected) => {
    expect(targetRevisionMatchesRef(targetRevision, ref, defaultBranch)).toBe(expected);
  });
});

describe('isInside', () => {
  const cases: Array<[string, string, boolean]> = [
    ['apps/web/deploy.yaml', 'apps/web', true],
    ['apps/web/deploy.yaml', 'apps/web/', true],
    ['apps/web/deploy.yaml', './apps/web', true],
    ['apps/web', 'apps/web', true],
    ['apps/webhooks/deploy.yaml', 'apps/web', false],
    ['apps/api/deploy.yaml', 'apps/web', false],
    ['README.md', '.', true],
    ['README.md', '', true],
    ['bases/common/cm.yaml', 'bases/common/cm.yaml', true],
    ['bases/common/cm.yaml.bak', 'bases/common/cm.yaml', false],
    ['apps', 'apps/web', false],
  ];
  it.each(cases)('%s inside %j → %s', (path, directory, expected) => {
    expect(isInside(path, directory)).toBe(expected);
  });
});

describe('affectedApplications', () => {
  const web = application('web', { path: 'apps/web' });
  const api = application('api', { path: 'apps/api', targetRevision: 'main' });
  const worker = application('worker', { path: 'apps/worker', targetRevision: 'refs/heads/main' });
  const whole = application('whole', { path: '.' });
  const staging = application('staging', { path: 'apps/web', targetRevision: 'staging' });
  const release = application('release', { path: 'apps/web', targetRevision: 'v1.2.0' });
  const pinned = application('pinned', { path: 'apps/web', targetRevision: 'c'.repeat(40) });
  const sshOther = application('ssh-same-repo', { path: 'apps/web', repoURL: 'git@github.com:Acme/Platform.git' });
  const otherRepo = application('other-repo', { path: 'apps/web', repoURL: 'https://github.com/acme/other.git' });
  const all = [web, api, worker, whole, staging, release, pinned, sshOther, otherRepo];
  const noStoredPaths = new Map<string, string[]>();
  const names = (apps: ArgoApplication[]) => apps.map((app) => app.metadata.name).sort();

  const cases: Array<{ title: string; push: Partial<NormalisedPush>; stored?: Record<string, string[]>; expected: string[] }> = [
    {
      title: 'unknown paths: every app of the repo that follows the branch',
      push: { changedPaths: undefined },
      expected: ['api', 'ssh-same-repo', 'web', 'whole', 'worker'],
    },
    {
      title: 'a file in one app folder: that app and the whole-repo app',
      push: { changedPaths: ['apps/web/deployment.yaml'] },
      expected: ['ssh-same-repo', 'web', 'whole'],
    },
    {
      title: 'a file in another app folder only',
      push: { changedPaths: ['apps/api/deployment.yaml'] },
      expected: ['api', 'whole'],
    },
    {
      title: 'a file outside every app folder: only the whole-repo app',
      push: { changedPaths: ['docs/README.md'] },
      expected: ['whole'],
    },
    {
      title: 'a stored source path outside the app folder (kustomize base)',
      push: { changedPaths: ['bases/common/configmap.yaml'] },
      stored: { worker: ['apps/worker', 'bases/common'] },
      expected: ['whole', 'worker'],
    },
    {
      title: 'a stored source file',
      push: { changedPaths: ['shared/values.yaml'] },
      stored: { api: ['apps/api', 'shared/values.yaml'] },
      expected: ['api', 'whole'],
    },
    {
      title: 'a stored source path of an app following another branch does not pull it in',
      push: { changedPaths: ['bases/common/configmap.yaml'] },
      stored: { staging: ['bases/common'] },
      expected: ['whole'],
    },
    {
      title: 'no changed paths listed (empty list): nothing changed',
      push: { changedPaths: [] },
      expected: [],
    },
    {
      title: 'another branch: only apps following it',
      push: { ref: 'refs/heads/staging', branch: 'staging', changedPaths: ['apps/web/deployment.yaml'] },
      expected: ['staging'],
    },
    {
      title: 'a tag: only apps following that tag',
      push: { ref: 'refs/tags/v1.2.0', branch: undefined, tag: 'v1.2.0', changedPaths: undefined },
      expected: ['release'],
    },
    {
      title: 'HEAD follows the payload default branch, not main, when it says so',
      push: { ref: 'refs/heads/main', defaultBranch: 'trunk', changedPaths: undefined },
      expected: ['api', 'worker'],
    },
    {
      title: 'HEAD falls back to main and master when the payload does not name the default branch',
      push: { ref: 'refs/heads/master', defaultBranch: undefined, changedPaths: undefined },
      expected: ['ssh-same-repo', 'web', 'whole'],
    },
    {
      title: 'a deleted ref affects nothing',
      push: { deleted: true, after: '0'.repeat(40) },
      expected: [],
    },
    {
      title: 'another repository entirely',
      push: { repoUrls: ['github.com/acme/unrelated'] },
      expected: [],
    },
    {
      title: 'the push names several URLs of one repository',
      push: { repoUrls: ['github.com/acme/other', 'example.invalid/none'], changedPaths: ['apps/web/x.yaml'] },
      expected: ['other-repo'],
    },
  ];

  it.each(cases)('$title', ({ push: overrides, stored, expected }) => {
    const sourcePaths = stored ? new Map(Object.entries(stored)) : noStoredPaths;
    expect(names(affectedApplications(push(overrides), all, sourcePaths))).toEqual(expected);
  });

  it('never matches a pinned commit, even when the push names that commit', () => {
    const pinnedPush = push({ after: 'c'.repeat(40), revision: 'c'.repeat(40) });
    expect(names(affectedApplications(pinnedPush, [pinned], noStoredPaths))).toEqual([]);
  });
});
