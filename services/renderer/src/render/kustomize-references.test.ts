import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { assertKustomizeReferencesAllowed } from './kustomize-references.ts';

describe('assertKustomizeReferencesAllowed', () => {
  const work = makeWorkDir('kustomize-references');
  const files: Record<string, string> = {
    'base/kustomization.yaml': 'resources: [cm.yaml]\nconfigMapGenerator: [{name: g, files: [key=data.txt]}]\n',
    'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    'base/data.txt': 'x',
    'ok/kustomization.yaml': 'resources: [../base]\npatches: [{path: patch.yaml}]\n',
    'ok/patch.yaml': '[]',
    'deep/kustomization.yaml': 'resources: [../ok, ../sneaky]\n',
    'sneaky/kustomization.yaml': 'components: [../../../outside]\n',
    'remote/kustomization.yaml': 'resources: ["git::https://github.com/org/repo//base?ref=v1"]\n',
    'ssh/kustomization.yaml': 'bases: ["ssh://git@github.com/org/repo.git"]\n',
    'missing/kustomization.yaml': 'resources: [example.com/org/repo]\n',
    'inflator/kustomization.yaml': 'helmCharts: [{name: x, repo: https://charts.example.com}]\n',
  };
  beforeAll(() => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work.dir, path)), { recursive: true });
      writeFileSync(join(work.dir, path), text);
    }
  });
  afterAll(() => work.remove());
  const check = (appPath: string, allowRemoteBases = false) => () =>
    assertKustomizeReferencesAllowed({ repoRoot: work.dir, appPath, allowRemoteBases, origin: 'repository r commit c' });

  it('accepts local references inside the repository', () => {
    expect(check('ok')).not.toThrow();
  });

  it.each([
    ['deep', 'sneaky/kustomization.yaml references "../../../outside", which points outside the repository'],
    ['remote', 'remote/kustomization.yaml references "git::https://github.com/org/repo//base?ref=v1", which is a remote base'],
    ['ssh', 'which is a remote base; set spec.allowRemoteBases: true on the Repository'],
    ['missing', 'is not a file or directory of the repository at this revision (kustomize would try it as a remote base)'],
    ['inflator', 'needs the kustomize Helm inflator (--enable-helm)'],
  ])('refuses %s, naming the file and the reference', (appPath, message) => {
    expect(check(appPath)).toThrow(UnrecoverableError);
    expect(check(appPath)).toThrow(/^repository r commit c: [a-z]+\/kustomization.yaml references /);
    expect(check(appPath)).toThrow(message);
  });

  it('lets remote bases through only when the Repository allows them, never paths outside', () => {
    expect(check('remote', true)).not.toThrow();
    expect(check('ssh', true)).not.toThrow();
    expect(check('deep', true)).toThrow('points outside the repository');
  });
});
