import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';
import { policiesWatching } from './policies-of.ts';

const application = (annotations: Record<string, string>, name = 'api-service') => [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  `metadata:`,
  `  name: ${name}`,
  '  annotations:',
  ...Object.entries(annotations).map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`),
  'spec:',
  '  project: default',
  '  source: {repoURL: "https://github.com/org/dokaseca-workloads", targetRevision: HEAD, path: applications/web-app}',
  '  destination: {server: "https://kubernetes.default.svc", namespace: production}',
  '',
].join('\n');

describe('Argo CD Image Updater annotations', () => {
  it('reads seed 002\'s Application as Image Updater does', () => {
    const { config, errors, warnings } = buildConfig([{ file: 'apps/api.yaml', text: application({
      'argocd-image-updater.argoproj.io/image-list': 'api=ghcr.io/org/api-service',
      'argocd-image-updater.argoproj.io/api.update-strategy': 'semver',
      'argocd-image-updater.argoproj.io/api.allow-tags': 'regexp:^v[0-9]+\\.[0-9]+\\.[0-9]+$',
      'argocd-image-updater.argoproj.io/api.ignore-tags': 'latest,main,develop',
      'argocd-image-updater.argoproj.io/write-back-method': 'git:secret:argocd/git-creds',
      'argocd-image-updater.argoproj.io/write-back-target': 'kustomization',
    }) }]);
    expect(errors).toEqual([]);
    expect(config.imagePolicies).toEqual([expect.objectContaining({
      id: 'argocd:api-service:api', app: 'api-service', image: 'ghcr.io/org/api-service', strategy: 'semver',
      allowTags: '^v[0-9]+\\.[0-9]+\\.[0-9]+$', ignoreTags: ['latest', 'main', 'develop'],
      writeBack: { target: { kind: 'kustomization', path: 'applications/web-app' } },
    })]);
    expect(config.imagePolicies?.[0].disabledReason).toBeUndefined();
    // The named Kubernetes secret is not read: said once, naming the annotation.
    expect(warnings.map((warning) => warning.message)).toEqual([expect.stringMatching(/apps\/api\.yaml: document 0 \(api-service\): metadata\.annotations\[argocd-image-updater\.argoproj\.io\/write-back-method\]/)]);
    expect(policiesWatching(config, 'ghcr.io/org/api-service:v1.2.3').map((policy) => policy.id)).toEqual(['argocd:api-service:api']);
  });

  it('accepts constraints, deprecated strategy names, helm and kustomize names', () => {
    const { config, warnings } = buildConfig([{ file: 'a.yaml', text: application({
      'argocd-image-updater.argoproj.io/image-list': 'web=nginx:1.20.x, cache=127.0.0.1:5000/team/redis:~7.2, tool=quay.io/x/tool:stable',
      'argocd-image-updater.argoproj.io/cache.update-strategy': 'latest',
      'argocd-image-updater.argoproj.io/tool.update-strategy': 'digest',
      'argocd-image-updater.argoproj.io/web.helm.image-name': 'web.image.repository',
      'argocd-image-updater.argoproj.io/web.helm.image-tag': 'web.image.tag',
      'argocd-image-updater.argoproj.io/cache.kustomize.image-name': 'redis',
      'argocd-image-updater.argoproj.io/write-back-target': 'helmvalues:../values/prod.yaml',
    }) }]);
    const [web, cache, tool] = config.imagePolicies ?? [];
    expect(web).toMatchObject({ image: 'docker.io/library/nginx', constraint: '1.20.x', helm: { imageName: 'web.image.repository', imageTag: 'web.image.tag' } });
    expect(web.writeBack.target).toEqual({ kind: 'helmvalues', file: 'applications/values/prod.yaml' });
    expect(cache).toMatchObject({ image: '127.0.0.1:5000/team/redis', strategy: 'newest-build', kustomizeImageName: 'redis' });
    expect(tool).toMatchObject({ strategy: 'digest', constraint: 'stable' });
    expect(warnings.some((warning) => warning.message.includes('cache.update-strategy') && warning.message.includes('deprecated'))).toBe(true);
  });

  it('loads an Application with a bad constraint or regexp with a warning naming the annotation, its images not updated', () => {
    const { config, errors, warnings } = buildConfig([{ file: 'a.yaml', text: application({
      'argocd-image-updater.argoproj.io/image-list': 'api=ghcr.io/org/api:>=not-a-version, ui=ghcr.io/org/ui',
      'argocd-image-updater.argoproj.io/ui.allow-tags': 'regexp:^v[0-9+$',
      'argocd-image-updater.argoproj.io/write-back-target': 'kustomization',
    }) }]);
    expect(errors).toEqual([]);
    expect(config.applications.map((app) => app.metadata.name)).toEqual(['api-service']);
    expect(config.imagePolicies?.every((policy) => policy.disabledReason !== undefined)).toBe(true);
    expect(policiesWatching(config, 'ghcr.io/org/api')).toEqual([]);
    const messages = warnings.map((warning) => warning.message).join('\n');
    expect(messages).toMatch(/metadata\.annotations\[argocd-image-updater\.argoproj\.io\/image-list\]: the constraint of api is not a valid semver range/);
    expect(messages).toMatch(/metadata\.annotations\[argocd-image-updater\.argoproj\.io\/ui\.allow-tags\]: is not a valid regular expression/);
  });

  it('reads write-back-method argocd as the override mode, and warns about annotations it does not read', () => {
    const { config, warnings } = buildConfig([{ file: 'a.yaml', text: application({
      'argocd-image-updater.argoproj.io/image-list': 'api=ghcr.io/org/api',
      'argocd-image-updater.argoproj.io/write-back-method': 'argocd',
      'argocd-image-updater.argoproj.io/git-branch': 'main:other',
      'argocd-image-updater.argoproj.io/other.update-strategy': 'semver',
    }) }]);
    expect(config.imagePolicies?.[0].disabledReason).toBeUndefined();
    expect(config.imagePolicies?.[0].writeBack.method).toBe('argocd');
    const messages = warnings.map((warning) => warning.message).join('\n');
    expect(messages).toMatch(/git-branch\]: has no effect with write-back-method argocd/);
    expect(messages).toMatch(/other\.update-strategy\]: names alias other/);
  });

  it('translates a Tidewater ImagePolicy and rejects one for an unknown Application', () => {
    const policy = (app: string) => [
      'apiVersion: tidewater.dev/v1alpha1', 'kind: ImagePolicy', 'metadata: {name: api-dev}',
      `spec: {application: ${app}, image: "127.0.0.1:5000/api", strategy: semver, constraint: "^1.0.0", ignoreTags: [latest]}`, '',
    ].join('\n');
    const ok = buildConfig([{ file: 'a.yaml', text: application({}) }, { file: 'p.yaml', text: policy('api-service') }]);
    expect(ok.errors).toEqual([]);
    expect(ok.config.imagePolicies).toEqual([expect.objectContaining({
      id: 'tidewater:api-dev', app: 'api-service', image: '127.0.0.1:5000/api', writeBack: { target: { kind: 'kustomization', path: 'applications/web-app' } },
    })]);
    const bad = buildConfig([{ file: 'a.yaml', text: application({}) }, { file: 'p.yaml', text: policy('nope') }]);
    expect(bad.errors.map((error) => error.message)).toEqual(['p.yaml: document 0 (api-dev): spec.application: Application nope is not defined']);
  });
});

describe('Flux image automation', () => {
  const flux = [
    'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', 'metadata: {name: fleet, namespace: flux-system}',
    'spec: {url: "https://github.com/acme/fleet", ref: {branch: main}, interval: 1m}', '---',
    'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImageRepository', 'metadata: {name: podinfo, namespace: flux-system}',
    'spec: {image: ghcr.io/stefanprodan/podinfo, interval: 5m}', '---',
    'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImagePolicy', 'metadata: {name: podinfo, namespace: flux-system}',
    'spec:', '  imageRepositoryRef: {name: podinfo}', '  filterTags: {pattern: "^(?P<version>[0-9]+\\\\.[0-9]+\\\\.[0-9]+)$", extract: "$version"}'.replace('(?P<', '(?<'),
    '  policy: {semver: {range: ">=5.0.0"}}', '---',
    'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImagePolicy', 'metadata: {name: broken, namespace: flux-system}',
    'spec: {imageRepositoryRef: {name: podinfo}, policy: {semver: {range: "not a range"}}}', '---',
    'apiVersion: image.toolkit.fluxcd.io/v1beta2', 'kind: ImageUpdateAutomation', 'metadata: {name: fleet, namespace: flux-system}',
    'spec:', '  sourceRef: {kind: GitRepository, name: fleet}',
    '  git: {checkout: {ref: {branch: main}}, push: {branch: main}, commit: {author: {name: fluxcdbot, email: flux@example.com}}}',
    '  update: {path: ./clusters/prod, strategy: Setters}', '',
  ].join('\n');

  it('translates ImageRepository + ImagePolicy + ImageUpdateAutomation into a setters policy', () => {
    const { config, errors, warnings } = buildConfig([{ file: 'flux.yaml', text: flux }]);
    expect(errors).toEqual([]);
    const [podinfo, broken] = config.imagePolicies ?? [];
    expect(podinfo).toMatchObject({
      id: 'flux:flux-system/podinfo', origin: 'flux', image: 'ghcr.io/stefanprodan/podinfo', strategy: 'semver', constraint: '>=5.0.0', extract: '$version',
      writeBack: { target: { kind: 'setters', path: 'clusters/prod', marker: 'flux-system:podinfo' }, branch: 'main', repoUrl: 'https://github.com/acme/fleet' },
    });
    expect(podinfo.disabledReason).toBeUndefined();
    expect(broken.disabledReason).toMatch(/semver/);
    const messages = warnings.map((warning) => warning.message).join('\n');
    expect(messages).toMatch(/flux\.yaml: document 3 \(broken\): spec\.policy\.semver\.range: is not a valid semver range/);
    expect(messages).not.toMatch(/ImagePolicy is not handled yet/);
  });
});

describe('Argo CD Image Updater v1 ImageUpdater resource', () => {
  it('selects Applications by namePattern and merges spec, applicationRef and image settings', () => {
    const updater = [
      'apiVersion: argocd-image-updater.argoproj.io/v1alpha1', 'kind: ImageUpdater', 'metadata: {name: web-updater, namespace: argocd}', 'spec:',
      '  commonUpdateSettings: {updateStrategy: semver, ignoreTags: [latest]}',
      '  writeBackConfig: {method: git, gitConfig: {branch: main, writeBackTarget: "kustomization:./"}}',
      '  applicationRefs:',
      '    - namePattern: "api-*"',
      '      images:',
      '        - alias: api',
      '          imageName: "ghcr.io/org/api:1.x"',
      '          commonUpdateSettings: {allowTags: "^[0-9.]+$"}',
      '          manifestTargets: {kustomize: {name: ghcr.io/org/api}}',
      '    - namePattern: nothing-here',
      '      images: [{alias: x, imageName: ghcr.io/org/x}]', '',
    ].join('\n');
    const { config, errors, warnings } = buildConfig([
      { file: 'a.yaml', text: application({}, 'api-service') }, { file: 'b.yaml', text: application({}, 'web') }, { file: 'u.yaml', text: updater },
    ]);
    expect(errors).toEqual([]);
    expect(config.imagePolicies).toEqual([expect.objectContaining({
      id: 'imageupdater:web-updater:api-service:api', app: 'api-service', image: 'ghcr.io/org/api', strategy: 'semver', constraint: '1.x',
      allowTags: '^[0-9.]+$', ignoreTags: ['latest'], kustomizeImageName: 'ghcr.io/org/api',
      writeBack: { target: { kind: 'kustomization', path: 'applications/web-app' }, branch: 'main', baseBranch: 'main' },
    })]);
    const messages = warnings.map((warning) => warning.message).join('\n');
    expect(messages).toMatch(/u\.yaml: document 0 \(web-updater\): spec\.applicationRefs\[1\]\.namePattern: matches no Application/);
    expect(messages).not.toMatch(/ImageUpdater is not handled yet/);
  });

  it('a git-branch template outside the supported subset is a warning naming the annotation, and the images are not updated', () => {
    const bad = (branch: string) => buildConfig([{ file: 'apps/api.yaml', text: application({
      'argocd-image-updater.argoproj.io/image-list': 'api=ghcr.io/org/api-service',
      'argocd-image-updater.argoproj.io/git-branch': branch,
    }) }]);
    for (const [branch, detail] of [
      ['main:update-{{.Unknown}}', /\{\{\.Unknown\}\} is not available/],
      ['main:update{{range .Images}}-{{.NewTag}}', /without \{\{end\}\}/],
      ['main:update-{{printf "%s" .AppName}}', /is not supported/],
      ['update-{{.SHA256}}', /must be the target of base:target/],
    ] as const) {
      const { config, warnings } = bad(branch);
      expect(warnings.map((warning) => warning.message).join('\n')).toMatch(detail);
      expect(config.imagePolicies?.[0]?.disabledReason).toBeDefined();
    }
    const good = bad(':image-updater-{{.AppName}}-{{.SHA256}}');
    expect(good.warnings.filter((warning) => /git-branch/.test(warning.message))).toEqual([]);
    expect(good.config.imagePolicies?.[0]).toMatchObject({ writeBack: { branch: 'image-updater-{{.AppName}}-{{.SHA256}}' } });
    expect(good.config.imagePolicies?.[0]?.disabledReason).toBeUndefined();
  });

  it('platforms are read as <os>/<arch>[/<variant>] without a warning', () => {
    const { config, warnings } = buildConfig([{ file: 'apps/api.yaml', text: application({
      'argocd-image-updater.argoproj.io/image-list': 'api=ghcr.io/org/api-service',
      'argocd-image-updater.argoproj.io/api.platforms': 'linux/amd64, linux/arm/v7',
    }) }]);
    expect(warnings.filter((warning) => /platforms/.test(warning.message))).toEqual([]);
    expect(config.imagePolicies?.[0]).toMatchObject({ platforms: ['linux/amd64', 'linux/arm/v7'] });
  });
});
