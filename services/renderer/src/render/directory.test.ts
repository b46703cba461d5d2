import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { renderDirectory } from './directory.ts';

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('renderDirectory', () => {
  const work = makeWorkDir('renderer-directory');
  const files: Record<string, string> = {
    'apps/cfg/a.yaml': configMap('a'),
    'apps/cfg/b.yml': `${configMap('b1')}---\n${configMap('b2')}`,
    'apps/cfg/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }),
    'apps/cfg/README.md': '# not a manifest',
    'apps/cfg/nested/d.yaml': configMap('d'),
    'apps/cfg/nested/deeper/e.yaml': configMap('e'),
    'secret-outside.txt': 'host file',
  };

  beforeAll(() => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work.dir, path)), { recursive: true });
      writeFileSync(join(work.dir, path), content);
    }
  });
  afterAll(() => work.remove());

  const names = (directory?: Parameters<typeof renderDirectory>[0]['directory']) =>
    renderDirectory({ repoRoot: work.dir, appPath: 'apps/cfg', directory }).map((object) => object.metadata.name);

  it('reads only the top level without recurse, in path order', () => {
    expect(names()).toEqual(['a', 'b1', 'b2', 'c']);
  });

  it('walks sub-directories with recurse', () => {
    expect(names({ recurse: true })).toEqual(['a', 'b1', 'b2', 'c', 'd', 'e']);
  });

  it('honours include and exclude globs relative to the app path', () => {
    expect(names({ recurse: true, include: '*.yaml' })).toEqual(['a', 'd', 'e']);
    expect(names({ recurse: true, exclude: 'nested/deeper/*' })).toEqual(['a', 'b1', 'b2', 'c', 'd']);
    expect(names({ recurse: true, include: '{a.yaml,nested/*}' })).toEqual(['a', 'd', 'e']);
  });

  it('refuses a symlink that points outside the repository', () => {
    const outside = makeWorkDir('renderer-outside');
    writeFileSync(join(outside.dir, 'host.yaml'), configMap('host'));
    mkdirSync(join(work.dir, 'apps/link'), { recursive: true });
    symlinkSync(join(outside.dir, 'host.yaml'), join(work.dir, 'apps/link/host.yaml'));
    try {
      expect(() => renderDirectory({ repoRoot: work.dir, appPath: 'apps/link' })).toThrow('apps/link/host.yaml points outside the repository');
    } finally {
      outside.remove();
    }
  });
});
