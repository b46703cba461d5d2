import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';
import { policiesWatching } from '../images/policies-of.ts';

const application = (name: string, path: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: default
  source: {repoURL: https://github.com/org/gitops.git, targetRevision: main, path: ${path}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;
const applications = ['dev', 'staging'].map((stage) => application(`app-${stage}`, `env/${stage}`)).join('---\n');

// A Kargo Warehouse image subscription with Stages (the quickstart's shape), as written.
const kargo = `apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata: {name: demo}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: app, namespace: demo}
spec:
  subscriptions: [{image: {repoURL: ghcr.io/Org/app, constraint: ^1.0.0}}]
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: demo}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: app}, sources: {direct: true}}]
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config: {repoURL: https://github.com/org/gitops.git, checkout: [{branch: main, path: ./src}]}
      - uses: kustomize-set-image
        config: {path: ./src/env/dev, images: [{image: ghcr.io/Org/app}]}
      - uses: git-commit
        config: {path: ./src}
      - uses: git-push
        config: {path: ./src}
`;

describe('pipeline image: sources follow the registry through derived image policies', () => {
  it('derives pipeline:<pipeline>:<source> from a Kargo Warehouse image subscription, routed like any policy', () => {
    const { config, errors } = buildConfig([{ file: 'apps.yaml', text: applications }, { file: 'kargo.yaml', text: kargo }]);
    expect(errors.map((error) => error.message)).toEqual([]);
    expect(config.pipelines?.[0].spec.sources).toEqual([{ name: 'app', image: { repoURL: 'ghcr.io/Org/app', strategy: 'semver', constraint: '^1.0.0' } }]);
    const derived = config.imagePolicies?.find((policy) => policy.id === 'pipeline:demo:app');
    expect(derived).toMatchObject({
      origin: 'pipeline', app: 'app-dev', image: 'ghcr.io/org/app', strategy: 'semver', constraint: '^1.0.0', writeBack: { method: 'freight' },
    });
    // The gateway's routing (and the poller) find it by the pushed repository, in any reference form.
    expect(policiesWatching(config, 'ghcr.io/org/app:1.2.0').map((policy) => policy.id)).toEqual(['pipeline:demo:app']);
  });

  it('warns at load, naming the document and field, that a chart source makes no freight', () => {
    const pipeline = `apiVersion: tidewater.dev/v1alpha1
kind: Pipeline
metadata: {name: charts}
spec:
  sources:
  - {name: redis, chart: {repoURL: 'oci://registry.example.com/charts', name: redis, semverConstraint: ^18.0.0}}
  stages:
  - {name: dev, applications: [app-dev], freightFrom: {sources: [redis]}, autoPromote: true}
`;
    const { config, errors, warnings } = buildConfig([{ file: 'apps.yaml', text: applications }, { file: 'pipelines/charts.yaml', text: pipeline }]);
    expect(errors).toEqual([]);
    expect(config.pipelines?.map((candidate) => candidate.name)).toEqual(['charts']);
    expect(warnings.map((warning) => warning.message)).toContain(
      'pipelines/charts.yaml: document 0 (charts): spec.sources[0].chart: source redis: chart sources make no freight yet (only image, imagePolicy and git sources are followed); the stages fed by it promote nothing from it',
    );
    expect(config.imagePolicies?.some((policy) => policy.origin === 'pipeline')).toBe(false);
  });
});
