import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildConfig } from '../build-config.ts';
import type { Cluster } from '../schema/tidewater.ts';
import { evaluateApplicationSet } from './evaluate.ts';
import type { GitTree } from './generators.ts';
import { ApplicationSet } from './schema.ts';

const cluster = (name: string, server: string, labels: Record<string, string>, annotations: Record<string, string> = {}): Cluster => ({
  apiVersion: 'tidewater.dev/v1alpha1',
  kind: 'Cluster',
  metadata: { name, labels, annotations },
  spec: { server },
});

const clusters = [
  cluster('dev-eu', 'https://dev.example:6443', { environment: 'dev', region: 'eu' }, { team: 'core' }),
  cluster('prod-us', 'https://prod.example:6443', { environment: 'prod', region: 'us' }),
  cluster('Staging_1', 'https://staging.example:6443', { environment: 'staging', region: 'eu' }),
];

const appset = (yaml: string) => ApplicationSet.parse(parse(yaml));
const names = (result: ReturnType<typeof evaluateApplicationSet>) => (result.ok ? result.applications.map((entry) => entry.application.metadata.name) : result.error);

const template = `
  template:
    metadata:
      name: '{{name}}-web'
    spec:
      project: default
      source:
        repoURL: https://git.example/org/apps.git
        targetRevision: HEAD
        path: 'apps/{{name}}'
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{name}}'
`;

// Seed 002's ApplicationSet, as written there.
const seed002 = `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web-application-environments
  namespace: argocd
spec:
  generators:
  - clusters:
      selector:
        matchLabels:
          environment: web-app
  template:
    metadata:
      name: 'web-app-{{name}}'
      annotations:
        argocd-image-updater.argoproj.io/image-list: app=ghcr.io/org/web-app
        argocd-image-updater.argoproj.io/app.update-strategy: semver
        argocd-image-updater.argoproj.io/app.allow-tags: 'regexp:^v[0-9]+\\.[0-9]+\\.[0-9]+$'
    spec:
      project: default
      source:
        repoURL: https://github.com/org/dokaseca-workloads
        targetRevision: HEAD
        path: 'applications/web-app/{{metadata.labels.environment}}'
      destination:
        server: '{{server}}'
        namespace: web-app
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
`;

describe('list generator', () => {
  it('renders one Application per element, elements and elementsYaml together', () => {
    const result = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: teams }
spec:
  generators:
  - list:
      elements: [{ name: red }, { name: blue }]
      elementsYaml: |
        - name: green
${template}`),
      { clusters: [] },
    );
    expect(names(result)).toEqual(['red-web', 'blue-web', 'green-web']);
    if (!result.ok) return;
    expect(result.applications[2].application.spec.source.path).toBe('apps/green');
    expect(result.applications[2].application.metadata.annotations?.['tidewater.dev/application-set']).toBe('teams');
  });
});

describe('clusters generator', () => {
  it('runs seed 002 unchanged: label selector, server, metadata.labels and the Image Updater annotations', () => {
    const labelled = [...clusters, cluster('edge', 'https://edge.example:6443', { environment: 'web-app' })];
    const result = evaluateApplicationSet(appset(seed002), { clusters: labelled });
    expect(names(result)).toEqual(['web-app-edge']);
    if (!result.ok) return;
    const [{ application }] = result.applications;
    expect(application.spec.destination.server).toBe('https://edge.example:6443');
    expect(application.spec.source.path).toBe('applications/web-app/web-app');
    expect(application.metadata.annotations?.['argocd-image-updater.argoproj.io/app.update-strategy']).toBe('semver');
    expect(application.spec.syncPolicy?.automated?.selfHeal).toBe(true);
  });

  it('selects with matchExpressions and offers nameNormalized, annotations and values', () => {
    const result = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: by-region }
spec:
  generators:
  - clusters:
      selector:
        matchExpressions:
        - { key: region, operator: In, values: [eu] }
      values:
        owner: 'team-{{metadata.labels.region}}'
  template:
    metadata:
      name: 'app-{{nameNormalized}}'
      labels: { owner: '{{values.owner}}', team: '{{metadata.annotations.team}}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: '{{metadata.labels.environment}}' }
      destination: { name: '{{name}}', namespace: web }
`),
      { clusters },
    );
    expect(names(result)).toEqual(['app-dev-eu', 'app-staging-1']);
    if (!result.ok) return;
    expect(result.applications[0].application.metadata.labels).toEqual({ owner: 'team-eu', team: 'core' });
    expect(result.applications[1].application.spec.destination.name).toBe('Staging_1');
  });
});

const tree = (files: Record<string, string>, extraDirectories: string[] = []): GitTree => {
  const directories = new Set<string>(extraDirectories);
  for (const file of Object.keys(files)) {
    const parts = file.split('/');
    for (let index = 1; index < parts.length; index++) directories.add(parts.slice(0, index).join('/'));
  }
  return { directories: [...directories].sort(), files: Object.keys(files).sort(), read: (path) => files[path] };
};

describe('git generator', () => {
  const repo = tree({
    'apps/web/kustomization.yaml': '',
    'apps/api/kustomization.yaml': '',
    'apps/legacy/kustomization.yaml': '',
    'clusters/dev/config.json': JSON.stringify({ cluster: { name: 'dev', address: 'https://dev.example:6443' }, replicas: 1 }),
    'clusters/prod/config.yaml': 'cluster:\n  name: prod\n  address: https://prod.example:6443\nreplicas: 3\n',
  });
  const gitTree = (repoURL: string, revision: string) => (repoURL === 'https://git.example/org/apps.git' && revision === 'main' ? repo : undefined);

  it('directories with exclude, path params in both syntaxes', () => {
    const fast = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: dirs }
spec:
  generators:
  - git:
      repoURL: https://git.example/org/apps.git
      revision: main
      directories: [{ path: 'apps/*' }, { path: apps/legacy, exclude: true }]
  template:
    metadata: { name: '{{path.basename}}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/org/apps.git', path: '{{path}}', targetRevision: '{{path[0]}}' }
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{path.basenameNormalized}}' }
`),
      { clusters: [], gitTree },
    );
    expect(names(fast)).toEqual(['api', 'web']);
    if (fast.ok) expect(fast.applications[0].application.spec.source).toMatchObject({ path: 'apps/api', targetRevision: 'apps' });

    const go = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: dirs }
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git:
      repoURL: https://git.example/org/apps.git
      revision: main
      directories: [{ path: 'apps/*' }, { path: apps/legacy, exclude: true }]
  template:
    metadata: { name: '{{ .path.basename | upper | lower }}-{{ index .path.segments 0 }}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/org/apps.git', path: '{{ .path.path }}' }
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{ printf "%s-ns" .path.basename }}' }
`),
      { clusters: [], gitTree },
    );
    expect(names(go)).toEqual(['api-apps', 'web-apps']);
    if (go.ok) expect(go.applications[1].application.spec.destination.namespace).toBe('web-ns');
  });

  it('files: JSON and YAML flattened into parameters', () => {
    const result = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: files }
spec:
  generators:
  - git:
      repoURL: https://git.example/org/apps.git
      revision: main
      files: [{ path: 'clusters/**/config.*' }]
  template:
    metadata: { name: 'guestbook-{{cluster.name}}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/org/apps.git', path: '{{path}}', helm: { parameters: [{ name: replicas, value: '{{replicas}}' }] } }
      destination: { server: '{{cluster.address}}', namespace: guestbook }
`),
      { clusters: [], gitTree },
    );
    expect(names(result)).toEqual(['guestbook-dev', 'guestbook-prod']);
    if (!result.ok) return;
    expect(result.applications[1].application.spec.destination.server).toBe('https://prod.example:6443');
    expect(result.applications[1].application.spec.source.path).toBe('clusters/prod');
    expect(result.applications[1].application.spec.source.helm?.parameters?.[0].value).toBe('3');
  });

  it('reports that only the renderer evaluates it when no tree is given', () => {
    const result = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: dirs }
spec:
  generators: [{ git: { repoURL: 'https://git.example/org/apps.git', directories: [{ path: '*' }] } }]
${template}`),
      { clusters: [] },
    );
    expect(result).toMatchObject({ ok: false, needsGit: true });
  });
});

describe('matrix and merge', () => {
  it('matrix: clusters × list, the second child sees the first one’s parameters', () => {
    const result = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: matrix }
spec:
  goTemplate: true
  generators:
  - matrix:
      generators:
      - clusters: { selector: { matchLabels: { region: eu } } }
      - list:
          elements: [{ app: web, env: '{{ .metadata.labels.environment }}' }, { app: api, env: '{{ .metadata.labels.environment }}' }]
  template:
    metadata: { name: '{{ .app }}-{{ .nameNormalized }}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: '{{ .app }}/{{ .env }}' }
      destination: { server: '{{ .server }}', namespace: '{{ .app }}' }
`),
      { clusters },
    );
    expect(names(result)).toEqual(['web-dev-eu', 'api-dev-eu', 'web-staging-1', 'api-staging-1']);
    if (result.ok) expect(result.applications[3].application.spec.source.path).toBe('api/staging');
  });

  it('merge: later generators override by mergeKeys', () => {
    const result = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: merged }
spec:
  generators:
  - merge:
      mergeKeys: [server]
      generators:
      - clusters: { values: { revision: main } }
      - list: { elements: [{ server: 'https://prod.example:6443', values.revision: stable }] }
  template:
    metadata: { name: 'app-{{nameNormalized}}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: app, targetRevision: '{{values.revision}}' }
      destination: { server: '{{server}}', namespace: app }
`),
      { clusters },
    );
    expect(names(result)).toEqual(['app-dev-eu', 'app-prod-us', 'app-staging-1']);
    if (result.ok) expect(result.applications.map((entry) => entry.application.spec.source.targetRevision)).toEqual(['main', 'stable', 'main']);
  });
});

describe('goTemplate', () => {
  const goSet = (name: string, options: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: go }
spec:
  goTemplate: true
  goTemplateOptions: ${options}
  generators:
  - list: { elements: [{ name: a, env: dev }, { name: b }] }
  template:
    metadata: { name: '${name}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: 'p' }
      destination: { server: 'https://kubernetes.default.svc', namespace: ns }
`;
  it('missingkey=error: names the element and the parameter, nothing generated', () => {
    const result = evaluateApplicationSet(appset(goSet('{{ .name }}-{{ .env }}', '["missingkey=error"]')), { clusters: [] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toBe('element 1 (name b): map has no entry for key "env" (parameter .env)');
  });

  it('without it, default and index cover a missing parameter', () => {
    const result = evaluateApplicationSet(appset(goSet('{{ .name }}-{{ index . "env" | default "none" }}{{ if eq .name "a" }}-first{{ else }}-other{{ end }}', '[]')), { clusters: [] });
    expect(names(result)).toEqual(['a-dev-first', 'b-none-other']);
  });

  it('templatePatch sets non-string fields from parameters', () => {
    const result = evaluateApplicationSet(
      appset(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: patched }
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list: { elements: [{ name: a, autoSync: true }, { name: b, autoSync: false }] }
  template:
    metadata: { name: '{{ .name }}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: 'p' }
      destination: { server: 'https://kubernetes.default.svc', namespace: ns }
  templatePatch: |
    {{- if .autoSync }}
    spec:
      syncPolicy:
        automated:
          prune: {{ .autoSync }}
    {{- end }}
`),
      { clusters: [] },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.applications[0].application.spec.syncPolicy?.automated?.prune).toBe(true);
    expect(result.applications[1].application.spec.syncPolicy).toBeUndefined();
  });
});

describe('loading ApplicationSets with the configuration', () => {
  const file = (text: string) => ({ file: 'apps/sets.yaml', text });
  const clusterYaml = `
apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: { name: edge, labels: { environment: web-app } }
spec: { server: 'https://edge.example:6443' }
`;

  it('adds the generated Applications of seed 002 with no warning of its own', () => {
    const { config, errors, warnings } = buildConfig([file(`${seed002}\n---\n${clusterYaml}`)]);
    expect(errors).toEqual([]);
    expect(warnings.map((warning) => warning.message)).toEqual([]);
    expect(config.applications.map((application) => application.metadata.name)).toEqual(['web-app-edge']);
    expect(config.applicationSetReports).toEqual([{ name: 'web-application-environments', evaluatedBy: 'loader', applications: ['web-app-edge'], problems: [] }]);
  });

  it('a failing ApplicationSet reports the element and parameter while the others continue', () => {
    const failing = `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: broken }
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators: [{ list: { elements: [{ name: x }] } }]
  template:
    metadata: { name: '{{ .name }}-{{ .region }}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: p }
      destination: { server: 'https://kubernetes.default.svc', namespace: ns }
`;
    const { config, errors, warnings } = buildConfig([file(`${seed002}\n---\n${clusterYaml}\n---\n${failing}`)]);
    expect(errors).toEqual([]);
    expect(config.applications.map((application) => application.metadata.name)).toEqual(['web-app-edge']);
    expect(warnings.map((warning) => warning.message)).toEqual([
      'apps/sets.yaml: document 2 (broken): ApplicationSet: element 0 (name x): map has no entry for key "region" (parameter .region)',
    ]);
  });

  it('two ApplicationSets generating one name: both report it, a written Application with that name is kept', () => {
    const listSet = (name: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: ${name} }
spec:
  generators: [{ list: { elements: [{ app: shared }, { app: ${name}-own }] } }]
  template:
    metadata: { name: '{{app}}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: p }
      destination: { server: 'https://kubernetes.default.svc', namespace: ns }
`;
    const { config, warnings } = buildConfig([file(`${listSet('one')}\n---\n${listSet('two')}`)]);
    expect(config.applications.map((application) => application.metadata.name)).toEqual(['one-own', 'two-own']);
    expect(warnings.map((warning) => warning.message)).toEqual([
      'apps/sets.yaml: document 0 (one): ApplicationSet: Application shared is also generated by ApplicationSet two; neither is created',
      'apps/sets.yaml: document 1 (two): ApplicationSet: Application shared is also generated by ApplicationSet one; neither is created',
    ]);
  });

  it('refuses unsupported generators and Go template syntax outside the subset, and warns on ignored fields', () => {
    const { errors, warnings } = buildConfig([
      file(`
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: odd }
spec:
  goTemplate: true
  strategy: { type: RollingSync }
  generators:
  - pullRequest: { github: { owner: o, repo: r } }
  - git: { repoURL: 'https://git.example/x.git', directories: [{ path: '*' }], requeueAfterSeconds: 30 }
  template:
    metadata: { name: '{{ range .x }}{{ end }}' }
    spec: { project: default }
`),
    ]);
    expect(errors.map((error) => `${error.field}: ${error.detail}`)).toEqual([
      'spec.generators[0].pullRequest: the pullRequest generator is not supported by Tidewater (supported: list, clusters, git, matrix, merge)',
      'spec.template.metadata.name: "range" is not in Tidewater\'s Go template subset',
    ]);
    expect(warnings.map((warning) => `${warning.field}: ${warning.message.split(': ').at(-1)}`)).toEqual([
      'spec.strategy: field is not supported by Tidewater and is ignored',
      'spec.generators[1].git.requeueAfterSeconds: Tidewater re-evaluates a git generator on each push to its repository',
    ]);
  });
});
