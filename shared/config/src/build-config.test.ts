import { describe, expect, it } from 'vitest';
import { buildConfig, parseConfigText } from './build-config.ts';

const application = (name: string, extra = '') => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
spec:
  source:
    repoURL: https://github.com/org/apps
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
${extra ? `${extra}\n` : ''}`;

describe('parseConfigText', () => {
  it('applies Argo CD defaults and keeps fields as written', () => {
    const { config, errors, warnings } = parseConfigText(application('web'), 'apps/web.yaml');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    const [app] = config.applications;
    expect(app.metadata.name).toBe('web');
    expect(app.spec.project).toBe('default');
    expect(app.spec.source).toEqual({ repoURL: 'https://github.com/org/apps', targetRevision: 'HEAD', path: '.' });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'web' });
  });

  it('names the file, document index and name, and field of an invalid document', () => {
    const text = [
      application('web-prod'),
      application('web-staging'),
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web-dev
spec:
  source:
    repoURL: https://github.com/org/apps
    helm:
      parameters:
      - value: "2"
  destination:
    namespace: web-dev
`,
    ].join('---\n');
    const { errors, config } = parseConfigText(text, 'apps/web.yaml');
    expect(config.applications.map((app) => app.metadata.name)).toEqual(['web-prod', 'web-staging']);
    expect(errors.map((error) => error.message)).toEqual([
      'apps/web.yaml: document 2 (web-dev): spec.source.helm.parameters[0].name: is required',
      'apps/web.yaml: document 2 (web-dev): spec.destination: exactly one of server or name is required',
    ]);
    expect(errors[1]).toMatchObject({ file: 'apps/web.yaml', documentIndex: 2, documentName: 'web-dev', field: 'spec.destination', line: 33 });
  });

  it('refuses a destination naming both a server and a cluster name', () => {
    const text = application('web').replace('    namespace: web', '    name: prod\n    namespace: web');
    const { errors } = parseConfigText(text, 'web.yaml');
    expect(errors.map((error) => error.field)).toEqual(['spec.destination']);
  });

  it('warns about every unsupported Argo CD field, at any depth, and still loads the rest', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  uid: 1234
spec:
  source:
    repoURL: https://github.com/org/apps
    plugin:
      name: cmp
    helm:
      fileParameters:
      - name: config
        path: files/config.json
      valuesObject:
        anything: {goes: here}
  sources:
  - repoURL: https://github.com/org/other
  destination:
    server: https://kubernetes.default.svc
  syncPolicy:
    managedNamespaceMetadata:
      labels: {team: a}
    syncOptions:
    - CreateNamespace=true
    - Unknown=true
status:
  sync: {status: Synced}
`;
    const { config, errors, warnings } = parseConfigText(text, 'web.yaml');
    expect(errors).toEqual([]);
    expect(warnings.map((warning) => warning.field)).toEqual([
      'spec.source.plugin',
      'spec.source.helm.fileParameters',
      'spec.sources',
      'status',
      'spec.syncPolicy.syncOptions[1]',
    ]);
    expect(warnings[0].message).toBe('web.yaml: document 0 (web): spec.source.plugin: field is not supported by Tidewater and is ignored');
    expect(config.applications[0].spec.source.helm?.valuesObject).toEqual({ anything: { goes: 'here' } });
    expect(config.applications[0].spec.source).not.toHaveProperty('plugin');
  });

  it('refuses an Application combining sync options Argo CD refuses together, naming the field', () => {
    const text = [
      application('web', '  syncPolicy:\n    syncOptions:\n    - ServerSideApply=true\n    - Force=true'),
      application('api', '  syncPolicy:\n    managedNamespaceMetadata:\n      labels: {team: a}\n    syncOptions:\n    - CreateNamespace=true'),
      application('jobs', '  syncPolicy:\n    managedNamespaceMetadata:\n      labels: {team: a}'),
    ].join('---\n');
    const { config, errors, warnings } = parseConfigText(text, 'apps.yaml');
    expect(config.applications.map((app) => app.metadata.name)).toEqual(['api', 'jobs']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'apps.yaml', documentIndex: 0, documentName: 'web', field: 'spec.syncPolicy.syncOptions[1]' });
    expect(errors[0].message).toContain('Force=true cannot be combined with ServerSideApply=true');
    expect(config.applications[0].spec.syncPolicy?.managedNamespaceMetadata).toEqual({ labels: { team: 'a' } });
    expect(warnings.map((warning) => [warning.documentName, warning.field])).toEqual([['jobs', 'spec.syncPolicy.managedNamespaceMetadata']]);
  });

  it('treats an empty YAML value as absent, as Argo CD does', () => {
    const { config, errors } = parseConfigText(application('web', '  syncPolicy:\n    automated:\n    syncOptions:\n  project:\n'), 'web.yaml');
    expect(errors).toEqual([]);
    expect(config.applications[0].spec.syncPolicy).toEqual({});
    expect(config.applications[0].spec.project).toBe('default');
  });

  it('explains that multi-source applications are not supported', () => {
    const text = application('web').replace('  source:\n', '  sources:\n  - ').replace('    repoURL', 'repoURL');
    const { errors, warnings } = parseConfigText(text, 'web.yaml');
    expect(errors.map((error) => error.message)).toEqual(['web.yaml: document 0 (web): spec.source: is required (multi-source spec.sources is not supported)']);
    expect(warnings.map((warning) => warning.field)).toEqual(['spec.sources']);
  });

  it('refuses inline secrets without repeating them', () => {
    const text = `apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata:
  name: apps
spec:
  url: https://github.com/org/apps
  webhookSecret: hunter2-inline
  credentialRef:
    value: hunter2-value
---
apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata:
  name: ops
spec:
  url: https://github.com/org/ops
  webhookSecretRef: hunter2-string
`;
    const { errors, config } = parseConfigText(text, 'repos.yaml');
    expect(config.repositories).toEqual([]);
    expect(errors.map((error) => error.field)).toEqual(['spec.webhookSecret', 'spec.credentialRef', 'spec.webhookSecretRef']);
    for (const error of errors) {
      expect(error.message).toContain('secrets must be env: or file: references');
      expect(error.message).not.toContain('hunter2');
      expect(JSON.stringify(error)).not.toContain('hunter2');
    }
  });

  it('never echoes source text from a YAML syntax error', () => {
    const { errors } = parseConfigText('apiVersion: v1\nkind: ConfigMap\n  data: "hunter2\n', 'bad.yaml');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].message).toMatch(/^bad\.yaml: document 0: invalid YAML at line \d+/);
    expect(errors.map((error) => error.message).join('\n')).not.toContain('hunter2');
  });

  it('accepts secret references, including several webhook secrets for rotation', () => {
    const text = `apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: apps}
spec:
  url: https://github.com/org/apps
  provider: github
  webhookSecretRef: [{env: TIDEWATER_SECRET_GH_NEW}, {file: /run/secrets/tidewater/gh-old}]
  credentialRef: {file: /run/secrets/tidewater/gh-token}
---
apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: {name: prod-eu}
spec:
  server: https://prod-eu.example.com:6443
  kubeconfigRef: {env: TIDEWATER_SECRET_PROD_EU_KUBECONFIG}
  context: admin
  labels: {env: prod}
`;
    const { config, errors } = parseConfigText(text, 'infra.yaml');
    expect(errors).toEqual([]);
    expect(config.repositories[0].spec.webhookSecretRef).toEqual([{ env: 'TIDEWATER_SECRET_GH_NEW' }, { file: '/run/secrets/tidewater/gh-old' }]);
    expect(config.clusters[0]).toMatchObject({ metadata: { name: 'prod-eu' }, spec: { server: 'https://prod-eu.example.com:6443', labels: { env: 'prod' } } });
  });

  it('refuses a secret reference with both env and file, and unknown fields in Tidewater kinds', () => {
    const text = `apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: {name: prod}
spec:
  server: https://prod.example.com
  kubeconfigRef: {env: A, file: /b}
  insecureSkipVerify: true
`;
    const { errors } = parseConfigText(text, 'clusters.yaml');
    expect(errors.map((error) => `${error.field}: ${error.detail}`)).toEqual([
      'spec.kubeconfigRef: a secret reference holds exactly one of env: or file:',
      'spec.insecureSkipVerify: unknown field',
    ]);
  });

  it('keeps other kinds raw, warning unless they are Tidewater kinds planned for later', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: envs}
spec: {replicas: 1}
---
apiVersion: tidewater.dev/v1alpha1
kind: ImagePolicy
metadata: {name: web}
spec: {image: ghcr.io/org/web}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
`;
    const { config, errors, warnings } = parseConfigText(text, 'misc.yaml');
    expect(errors).toEqual([]);
    expect(config.otherDocuments).toHaveLength(3);
    expect(config.otherDocuments[1]).toEqual({ apiVersion: 'tidewater.dev/v1alpha1', kind: 'ImagePolicy', metadata: { name: 'web' }, spec: { image: 'ghcr.io/org/web' } });
    expect(warnings.map((warning) => warning.message)).toEqual([
      expect.stringContaining('misc.yaml: document 0 (envs): kind Rollout is not handled yet'),
      expect.stringContaining('misc.yaml: document 2 (settings): kind ConfigMap is not handled yet'),
    ]);
  });

  it('refuses documents that are not Kubernetes-style, unknown Tidewater kinds and Secrets', () => {
    const text = `stages: [build]
---
apiVersion: tidewater.dev/v1alpha1
metadata: {name: x}
---
- a list
---
apiVersion: tidewater.dev/v1alpha1
kind: Repo
metadata: {name: typo}
---
apiVersion: v1
kind: Secret
metadata: {name: repo-creds}
stringData: {password: hunter2}
---
`;
    const { errors } = parseConfigText(text, 'misc.yaml');
    expect(errors.map((error) => [error.documentIndex, error.field])).toEqual([
      [0, 'apiVersion'],
      [1, 'kind'],
      [2, ''],
      [3, 'kind'],
      [4, 'kind'],
    ]);
    expect(errors[3].message).toContain('unknown Tidewater kind Repo');
    expect(errors[4].message).not.toContain('hunter2');
  });

  it('refuses invalid Kubernetes names', () => {
    const { errors } = parseConfigText(application('Web_App'), 'web.yaml');
    expect(errors.map((error) => error.field)).toEqual(['metadata.name']);
    expect(errors[0].documentName).toBe('Web_App');
  });
});

describe('buildConfig', () => {
  it('reports duplicate Application names with both files', () => {
    const { errors } = buildConfig([
      { file: 'apps/a.yaml', text: application('web') },
      { file: 'apps/b.yaml', text: `${application('api')}---\n${application('web')}` },
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      'apps/b.yaml: document 1 (web): metadata.name: duplicate Application name web: also defined in apps/a.yaml document 0',
    ]);
  });

  it('requires the project an Application names, implying only "default"', () => {
    const project = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team-a}
spec:
  sourceRepos: ['*']
`;
    const { config, errors } = buildConfig([
      { file: 'projects.yaml', text: project },
      { file: 'apps.yaml', text: [application('a', '  project: team-a'), application('b', '  project: team-b'), application('c')].join('---\n') },
    ]);
    expect(errors.map((error) => error.message)).toEqual(['apps.yaml: document 1 (b): spec.project: AppProject team-b is not defined']);
    expect(config.projects.map((project) => project.metadata.name)).toEqual(['team-a', 'default']);
    expect(config.projects[1].spec.sourceRepos).toEqual(['*']);
  });

  it('does not imply a default project when one is defined', () => {
    const { config } = buildConfig([
      { file: 'default.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: default}\nspec: {sourceRepos: ["https://github.com/org/*"]}\n' },
    ]);
    expect(config.projects).toHaveLength(1);
    expect(config.projects[0].spec.sourceRepos).toEqual(['https://github.com/org/*']);
  });
});
