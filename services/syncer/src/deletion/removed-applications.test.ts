import { describe, expect, it } from 'vitest';
import { parseConfigText, type TidewaterConfig } from '@tidewater/config';
import { removedApplications } from './removed-applications.ts';

const application = (name: string, finalizers?: string[]) => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}${finalizers ? `, finalizers: [${finalizers.join(', ')}]` : ''}}
spec:
  source: {repoURL: https://git.example.com/team/deploy.git, path: ${name}}
  destination: {name: in-cluster, namespace: ${name}}
---`;

const listSet = (name: string, elements: string[], extra = '', templateMetadata = "{name: '{{app}}'}") => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: ${name}}
spec:
  generators: [{list: {elements: [${elements.map((element) => `{app: ${element}}`).join(', ')}]}}]
${extra}
  template:
    metadata: ${templateMetadata}
    spec:
      project: default
      source: {repoURL: https://git.example.com/team/deploy.git, path: '{{app}}'}
      destination: {name: in-cluster, namespace: '{{app}}'}
---`;

const cluster = 'apiVersion: tidewater.dev/v1alpha1\nkind: Cluster\nmetadata: {name: in-cluster}\nspec: {server: https://127.0.0.1:6443}\n---';

function load(...documents: string[]): TidewaterConfig {
  const { config, errors } = parseConfigText([cluster, ...documents].join('\n'), 'config.yaml');
  expect(errors).toEqual([]);
  return config;
}

const summary = (previous: TidewaterConfig, next: TidewaterConfig) =>
  removedApplications(previous, next).map((entry) => [entry.application.metadata.name, entry.cascade ?? 'keep']);

describe('removedApplications: which removed Applications take their objects with them (Argo CD semantics)', () => {
  it('cascades only with the resources finalizer; the variant picks the propagation policy', () => {
    const previous = load(
      application('plain'), application('cascaded', ['resources-finalizer.argocd.argoproj.io']),
      application('fore', ['resources-finalizer.argocd.argoproj.io/foreground']), application('other', ['example.com/keep']), application('stays'),
    );
    expect(summary(previous, load(application('stays')))).toEqual([['plain', 'keep'], ['cascaded', 'Background'], ['fore', 'Foreground'], ['other', 'keep']]);
    expect(summary(previous, previous)).toEqual([]);
  });

  it('a generated Application that leaves its set cascades by default, and keeps its objects under preserveResourcesOnDeletion', () => {
    const previous = load(listSet('fleet', ['a', 'b']), listSet('kept', ['c', 'd'], '  syncPolicy: {preserveResourcesOnDeletion: true}'));
    const next = load(listSet('fleet', ['a']), listSet('kept', ['c'], '  syncPolicy: {preserveResourcesOnDeletion: true}'));
    expect(summary(previous, next)).toEqual([['b', 'Background'], ['d', 'keep']]);
    // The whole ApplicationSet removed: every Application it generated goes, by the same rule.
    expect(summary(previous, load())).toEqual([['a', 'Background'], ['b', 'Background'], ['c', 'keep'], ['d', 'keep']]);
  });

  it('a template with finalizers of its own decides alone; create-only / create-update never delete objects', () => {
    const sets = (own: string[], grow: string[], update: string[]) => load(
      listSet('own', own, '', "{name: '{{app}}', finalizers: [example.com/keep]}"),
      listSet('grow', grow, '  syncPolicy: {applicationsSync: create-only}'),
      listSet('update', update, '  syncPolicy: {applicationsSync: create-update}'),
    );
    const previous = sets(['a', 'b'], ['c', 'd'], ['e', 'f']);
    expect(summary(previous, sets(['a'], ['c'], ['e']))).toEqual([['b', 'keep'], ['d', 'keep'], ['f', 'keep']]);
    // create-delete deletes, as sync (the default) does.
    const deleting = (elements: string[]) => load(listSet('prune', elements, '  syncPolicy: {applicationsSync: create-delete}'));
    expect(summary(deleting(['g', 'h']), deleting(['g']))).toEqual([['h', 'Background']]);
  });

  it('a set that fails to evaluate or generates nothing removes nothing (a generator error never deletes)', () => {
    const strict = (elements: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: strict}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators: [{list: {elements: [${elements}]}}]
  template:
    metadata: {name: '{{ .app }}'}
    spec:
      project: default
      source: {repoURL: https://git.example.com/team/deploy.git, path: '{{ .app }}'}
      destination: {name: in-cluster, namespace: '{{ .app }}'}
---`;
    const previous = load(strict('{app: a}, {app: b}'));
    expect(previous.applications.map((application) => application.metadata.name)).toEqual(['a', 'b']);
    const failing = load(strict('{app: a}, {other: c}'));
    expect(failing.applications).toEqual([]);
    expect(summary(previous, failing)).toEqual([]);
    expect(summary(previous, load(strict('')))).toEqual([]);
    expect(summary(previous, load(strict('{app: a}')))).toEqual([['b', 'Background']]);
  });
});
