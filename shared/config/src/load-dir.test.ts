import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigLoadError } from './errors.ts';
import { checkConfigDir, loadConfigDir } from './load-dir.ts';

const webApp = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: team-a
  source:
    repoURL: https://github.com/org/apps.git
    targetRevision: main
    path: apps/web
  destination:
    server: https://kubernetes.default.svc
    namespace: web
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
`;

const platform = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: team-a
spec:
  sourceRepos: ['https://github.com/org/*']
  destinations: [{server: '*', namespace: '*'}]
---
apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata:
  name: apps
spec:
  url: https://github.com/org/apps
  provider: github
  webhookSecretRef: {env: TIDEWATER_SECRET_GH}
`;

describe('loadConfigDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidewater-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every YAML file under the directory, recursively', async () => {
    await mkdir(join(dir, 'apps'));
    await mkdir(join(dir, '.github'));
    await writeFile(join(dir, 'apps', 'web.yaml'), webApp);
    await writeFile(join(dir, 'platform.yml'), platform);
    await writeFile(join(dir, 'README.md'), '# not configuration\n');
    await writeFile(join(dir, '.github', 'ci.yaml'), 'on: push\n');

    const config = await loadConfigDir(dir);
    expect(config.applications.map((app) => app.spec.source.repoURL)).toEqual(['https://github.com/org/apps.git']);
    expect(config.projects.map((project) => project.metadata.name)).toEqual(['team-a', 'default']);
    expect(config.repositories[0].spec.webhookSecretRef).toEqual({ env: 'TIDEWATER_SECRET_GH' });
    expect(config.warnings).toEqual([]);
  });

  it('throws one ConfigLoadError listing the errors of every file, by relative path', async () => {
    await mkdir(join(dir, 'apps'));
    await writeFile(join(dir, 'apps', 'web.yaml'), webApp.replace('    server: https://kubernetes.default.svc\n', ''));
    await writeFile(join(dir, 'apps', 'copy.yaml'), webApp);
    await writeFile(join(dir, 'notes.yaml'), 'just: notes\n');

    const error = await loadConfigDir(dir).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigLoadError);
    const messages = (error as ConfigLoadError).errors.map((configError) => configError.message);
    expect(messages).toEqual([
      'apps/web.yaml: document 0 (web): spec.destination: exactly one of server or name is required',
      'notes.yaml: document 0: apiVersion: is required: configuration documents are Kubernetes-style (apiVersion and kind)',
      'apps/copy.yaml: document 0 (web): spec.project: AppProject team-a is not defined',
    ]);
    expect((error as Error).message).toContain('configuration has 3 errors');
  });

  it('reports a missing directory as a ConfigError', async () => {
    const { errors } = await checkConfigDir(join(dir, 'missing'));
    expect(errors.map((error) => error.detail)).toEqual(['configuration directory cannot be read (ENOENT)']);
  });
});
