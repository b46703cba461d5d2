import { describe, expect, it } from 'vitest';
import { parseConfigText } from './build-config.ts';

const gitSource = '{ repoURL: https://git.example.com/team/deploy.git, path: web }';
const application = (extra: string, source = gitSource) => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  finalizers: [resources-finalizer.argocd.argoproj.io, example.com/keep]
spec:
  source: ${source}
  destination: { name: in-cluster, namespace: web }
${extra}`;

describe('accepted fields Tidewater does not act on are warned at load', () => {
  it('warns about Helm repository charts, naming the field; the cascade-deletion finalizer is acted on (no warning)', () => {
    const { config, errors, warnings } = parseConfigText(application('', '{ repoURL: https://charts.example.com, chart: redis, targetRevision: 1.2.3 }'), 'apps/web.yaml');
    expect(errors).toEqual([]);
    expect(warnings.map((warning) => warning.field)).toEqual(['spec.source.chart']);
    expect(config.applications[0].metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io', 'example.com/keep']);
  });

  it('warns about AppProject sync windows, orphaned resources and source namespaces only when set', () => {
    const project = (spec: string) => `apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: team }\nspec:\n  sourceRepos: ['*']\n${spec}`;
    expect(parseConfigText(project('  roles: []\n'), 'projects.yaml').warnings).toEqual([]);
    const { warnings } = parseConfigText(project(`  roles: [{ name: ci, policies: ['p, proj:team:ci, applications, sync, team/*, allow'] }]
  syncWindows: [{ kind: deny, schedule: '0 22 * * *', duration: 1h, applications: ['*'] }]
  orphanedResources: { warn: true }
  sourceNamespaces: [argocd-apps]
`), 'projects.yaml');
    expect(warnings.map((warning) => warning.field)).toEqual(['spec.syncWindows', 'spec.orphanedResources', 'spec.sourceNamespaces']);
  });
});

describe('spec.ignoreDifferences entries', () => {
  it('accepts Argo CD entries and refuses a JSON pointer that is not one, naming the field', () => {
    const ok = parseConfigText(application(`  ignoreDifferences:
    - { group: apps, kind: Deployment, jsonPointers: [/spec/replicas, /metadata/annotations/a~1b] }
    - kind: '*'
      jqPathExpressions: ['.metadata.annotations["x"]']
      managedFieldsManagers: [kube-controller-manager]
`), 'apps/web.yaml');
    expect(ok.errors).toEqual([]);
    expect(ok.config.applications[0].spec.ignoreDifferences).toHaveLength(2);

    const bad = parseConfigText(application(`  ignoreDifferences:
    - { group: apps, kind: Deployment, jsonPointers: [spec.replicas, /a~2b], jqPathExpressions: ['  '] }
`), 'apps/web.yaml');
    expect(bad.errors.map((error) => [error.field, error.detail])).toEqual([
      ['spec.ignoreDifferences[0].jsonPointers[0]', expect.stringMatching(/must be a JSON pointer/)],
      ['spec.ignoreDifferences[0].jsonPointers[1]', expect.stringMatching(/must be a JSON pointer/)],
      ['spec.ignoreDifferences[0].jqPathExpressions[0]', 'must be a jq path expression'],
    ]);
  });
});
