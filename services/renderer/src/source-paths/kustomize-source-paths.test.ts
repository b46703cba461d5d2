import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { collapseSourcePaths } from './collapse-source-paths.ts';
import { kustomizeSourcePaths } from './kustomize-source-paths.ts';

describe('kustomizeSourcePaths', () => {
  const work = makeWorkDir('renderer-kustomize-paths');
  const files: Record<string, string> = {
    'apps/web/overlays/dev/kustomization.yaml': [
      'bases: [../../base]',
      'components: [../../../../components/monitoring]',
      'resources: [extra.yaml, "https://github.com/org/repo//deploy?ref=v1", ../../../shared/ns.yaml]',
      'patches:',
      '  - path: ../../patches/replicas.yaml',
      '  - patch: |-',
      '      - op: replace',
      'patchesStrategicMerge: [local-patch.yaml]',
      'configMapGenerator:',
      '  - name: settings',
      '    files: [app.properties=../../../../config/web/app.properties]',
      '    envs: [../../../../config/web/.env]',
    ].join('\n'),
    'apps/web/overlays/dev/extra.yaml': '',
    'apps/web/overlays/dev/local-patch.yaml': '',
    'apps/web/base/kustomization.yaml': 'resources: [deployment.yaml, ../../../components/common]\n',
    'apps/web/base/deployment.yaml': '',
    'apps/web/patches/replicas.yaml': '',
    'components/monitoring/kustomization.yaml': 'kind: Component\nresources: [monitor.yaml]\n',
    'components/monitoring/monitor.yaml': '',
    'components/common/kustomization.yaml': 'resources: [cm.yaml]\n',
    'components/common/cm.yaml': '',
    'apps/shared/ns.yaml': '',
    'config/web/app.properties': '',
    'config/web/.env': '',
  };

  beforeAll(() => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work.dir, path)), { recursive: true });
      writeFileSync(join(work.dir, path), content);
    }
  });
  afterAll(() => work.remove());

  it('follows bases, components, patches and generator files recursively; skips remote resources', () => {
    const paths = collapseSourcePaths(kustomizeSourcePaths(work.dir, 'apps/web/overlays/dev'));
    expect(paths).toEqual([
      'apps/shared/ns.yaml',
      'apps/web/base',
      'apps/web/overlays/dev',
      'apps/web/patches/replicas.yaml',
      'components/common',
      'components/monitoring',
      'config/web/.env',
      'config/web/app.properties',
    ]);
  });

  it('ignores references that leave the repository', () => {
    mkdirSync(join(work.dir, 'escape'), { recursive: true });
    writeFileSync(join(work.dir, 'escape/kustomization.yaml'), 'resources: [../../../etc]\n');
    expect(kustomizeSourcePaths(work.dir, 'escape')).toEqual(['escape']);
  });
});

describe('collapseSourcePaths', () => {
  it('drops paths covered by a directory entry and de-duplicates', () => {
    expect(collapseSourcePaths(['apps/web', 'apps/web/values.yaml', 'apps/webhooks', 'apps/web'])).toEqual(['apps/web', 'apps/webhooks']);
    expect(collapseSourcePaths(['.', 'apps/web'])).toEqual(['.']);
  });
});
