import { describe, it, expect, afterAll } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { helmEnv } from './helm.ts';
import { editCommands, kustomizeEnv } from './kustomize.ts';

describe('render tool environments', () => {
  const work = makeWorkDir('tool-env');
  afterAll(() => work.remove());

  it('gives helm private homes, an empty plugin directory and none of this process’s variables', () => {
    process.env.TW_TOOL_ENV_SECRET = 'do-not-pass';
    const env = helmEnv(work.dir);
    expect(env).toMatchObject({ HOME: work.dir, HELM_PLUGINS: join(work.dir, 'plugins'), HELM_NO_PLUGINS: '1' });
    for (const key of ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HELM_REGISTRY_CONFIG', 'HELM_REPOSITORY_CONFIG', 'HELM_REPOSITORY_CACHE']) {
      expect(env[key].startsWith(work.dir), key).toBe(true);
    }
    expect(readdirSync(env.HELM_PLUGINS)).toEqual([]);
    expect(Object.values(env)).not.toContain('do-not-pass');
    expect(Object.keys(env).sort()).toEqual(['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HELM_NO_PLUGINS', 'HELM_PLUGINS',
      'HELM_REGISTRY_CONFIG', 'HELM_REPOSITORY_CACHE', 'HELM_REPOSITORY_CONFIG', 'HOME', 'LC_ALL', 'PATH']);
  });

  it('gives kustomize a private plugin home and pins the transports of remote bases', () => {
    const env = kustomizeEnv(work.dir);
    expect(env).toMatchObject({ HOME: work.dir, KUSTOMIZE_PLUGIN_HOME: join(work.dir, 'kustomize-plugins'), GIT_ALLOW_PROTOCOL: 'https:ssh' });
  });

  it('puts every kustomize edit value after --', () => {
    const commands = editCommands({
      namePrefix: 'tw-', nameSuffix: '-dev', images: ['nginx:1'], commonLabels: { a: 'b' }, commonAnnotations: { c: 'd' }, namespace: 'web',
    });
    expect(commands).toEqual([
      ['edit', 'set', 'nameprefix', '--', 'tw-'], ['edit', 'set', 'namesuffix', '--', '-dev'], ['edit', 'set', 'image', '--', 'nginx:1'],
      ['edit', 'add', 'label', '--force', '--', 'a:b'], ['edit', 'add', 'annotation', '--force', '--', 'c:d'], ['edit', 'set', 'namespace', '--', 'web'],
    ]);
  });
});
