import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';
import { fluxReadinessOf } from './readiness.ts';

// Flux's bootstrap GitRepository (flux-system) and seed 001's Kustomization, as written there.
const bootstrapSource = `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  secretRef:
    name: flux-system
  url: https://github.com/your-org/gitops-repo
`;
const seed001 = `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: sample-app-production
  namespace: flux-system
spec:
  interval: 5m
  path: ./apps/sample-app/overlays/production
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  validation: client
  healthChecks:
    - apiVersion: apps/v1
      kind: Deployment
      name: sample-app
      namespace: production
`;

const load = (...documents: string[]) => buildConfig([{ file: 'flux.yaml', text: documents.join('\n---\n') }]);

describe('Flux GitRepository and Kustomization', () => {
  it('translates seed 001 into an Application, naming every field it does not act on', () => {
    const { config, errors, warnings } = load(bootstrapSource, seed001);
    expect(errors).toEqual([]);
    const [application] = config.applications;
    expect(application.metadata.name).toBe('sample-app-production');
    expect(application.spec.source).toMatchObject({ repoURL: 'https://github.com/your-org/gitops-repo', targetRevision: 'main', path: 'apps/sample-app/overlays/production' });
    expect(application.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'flux-system' });
    expect(application.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
    // prune: true garbage-collects on removal, as Argo CD's cascade finalizer does.
    expect(application.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(config.repositories).toEqual([expect.objectContaining({ metadata: { name: 'flux-flux-system' }, spec: { url: 'https://github.com/your-org/gitops-repo', credentialRef: { env: 'TIDEWATER_SECRET_FLUX_FLUX_SYSTEM' } } })]);
    expect(warnings.map((warning) => `${warning.documentIndex} ${warning.field}`)).toEqual([
      '0 spec.interval',
      '1 spec.interval',
      '1 spec.validation',
    ]);
    // healthChecks are honoured (wait defaults to false, as in Flux), the timeout defaults to the interval.
    expect(JSON.parse(application.metadata.annotations?.['tidewater.dev/flux-readiness'] ?? '{}')).toEqual({
      wait: false, timeoutMs: 300_000, healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'sample-app', namespace: 'production' }],
    });
  });

  it('maps ref, targetNamespace, name prefix/suffix, images, suspend and postBuild.substitute', () => {
    const { config, errors, warnings } = load(
      `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: apps, namespace: flux-system}
spec: {url: 'https://git.example/apps.git', ref: {tag: v1.2.0}}`,
      `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: web, namespace: flux-system}
spec:
  sourceRef: {kind: GitRepository, name: apps}
  path: apps/web
  prune: false
  suspend: true
  wait: true
  targetNamespace: web
  namePrefix: tw-
  nameSuffix: -prod
  images: [{name: nginx, newName: registry.example/nginx, newTag: '1.27'}, {name: api, digest: 'sha256:abc'}]
  postBuild: {substitute: {cluster_env: prod, replicas: '3'}}
  patches: [{patch: '[]', target: {kind: Deployment}}]
  decryption: {provider: sops}`,
    );
    expect(errors).toEqual([]);
    const [application] = config.applications;
    expect(application.spec.source).toMatchObject({
      targetRevision: 'v1.2.0',
      path: 'apps/web',
      kustomize: { namePrefix: 'tw-', nameSuffix: '-prod', namespace: 'web', images: ['nginx=registry.example/nginx:1.27', 'api@sha256:abc'] },
    });
    expect(application.spec.destination.namespace).toBe('web');
    expect(application.spec.syncPolicy?.automated).toBeUndefined();
    expect(JSON.parse(application.metadata.annotations?.['tidewater.dev/flux-post-build-substitute'] ?? '{}')).toEqual({ cluster_env: 'prod', replicas: '3' });
    expect(JSON.parse(application.metadata.annotations?.['tidewater.dev/flux-patches'] ?? '[]')).toEqual([{ patch: '[]', target: { kind: 'Deployment' } }]);
    expect(warnings.map((warning) => warning.field)).toEqual(['spec.decryption']);
  });

  it('carries wait, healthChecks and timeout as the readiness rule; healthChecks under wait: true are ignored with a warning', () => {
    const kustomization = (extra: string) => seed001.replace('  validation: client\n', '').replace(/  healthChecks:[\s\S]*$/, extra);
    const readiness = (result: ReturnType<typeof load>) => fluxReadinessOf(result.config.applications[0]);
    const waiting = load(bootstrapSource, kustomization('  wait: true\n  timeout: 1m30s\n  healthChecks: [{apiVersion: v1, kind: ConfigMap, name: x}]\n'));
    expect(waiting.errors).toEqual([]);
    expect(readiness(waiting)).toEqual({ wait: true, healthChecks: [], timeoutMs: 90_000 });
    expect(waiting.warnings.map((warning) => warning.message).join('\n')).toMatch(/spec\.healthChecks: ignored because wait is true/);
    const plain = load(bootstrapSource, kustomization('  wait: false\n  timeout: 2m\n'));
    expect(plain.warnings.map((warning) => warning.field)).toEqual(['spec.interval', 'spec.interval']);
    expect(readiness(plain)).toEqual({ wait: false, healthChecks: [], timeoutMs: 120_000 });
    // A health check without a namespace looks in the Kustomization's namespace.
    const checked = load(bootstrapSource, kustomization('  healthChecks: [{apiVersion: apps/v1, kind: Deployment, name: web}]\n'));
    expect(readiness(checked)?.healthChecks).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'flux-system' }]);
  });

  it('refuses a timeout that is not a duration and a health check without apiVersion, naming the field', () => {
    const kustomization = (extra: string) => seed001.replace('  validation: client\n', '').replace(/  healthChecks:[\s\S]*$/, extra);
    const badTimeout = load(bootstrapSource, kustomization('  timeout: soon\n'));
    expect(badTimeout.errors.map((error) => error.message).join('\n')).toMatch(/spec\.timeout.*"soon" is not a duration/);
    expect(badTimeout.config.applications).toEqual([]);
    const noApiVersion = load(bootstrapSource, kustomization('  healthChecks: [{kind: Deployment, name: web}]\n'));
    expect(noApiVersion.errors.map((error) => error.message).join('\n')).toMatch(/spec\.healthChecks\[0\]\.apiVersion.*Deployment web needs an apiVersion/);
  });

  it('refuses a dependsOn cycle naming it, an unknown source, and a semver ref', () => {
    const kustomization = (name: string, dependsOn: string[], source = 'apps') => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec: {sourceRef: {kind: GitRepository, name: ${source}}, prune: true, dependsOn: [${dependsOn.map((dependency) => `{name: ${dependency}}`).join(', ')}]}`;
    const { config, errors } = load(
      `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: apps, namespace: flux-system}
spec: {url: 'https://git.example/apps.git', ref: {semver: '>=1.0.0'}}`,
      kustomization('infra', ['apps']),
      kustomization('apps', ['config']),
      kustomization('config', ['infra']),
      kustomization('standalone', []),
      kustomization('orphan', [], 'missing'),
    );
    expect(errors.map((error) => `${error.documentIndex} ${error.field}: ${error.detail}`)).toEqual([
      '0 spec.ref.semver: semver ranges of Git tags are not supported by Tidewater: pin spec.ref.tag or follow spec.ref.branch',
      '5 spec.sourceRef.name: GitRepository missing is not defined in the configuration',
      '2 spec.dependsOn: dependsOn forms a cycle: flux-system/apps → flux-system/config → flux-system/infra → flux-system/apps',
    ]);
    expect(config.applications.map((application) => application.metadata.name)).toEqual(['standalone']);
  });
});
