import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';

const application = (name: string, branch: string, repoURL = 'https://github.com/org/web.git') => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: default
  source: {repoURL: ${repoURL}, targetRevision: ${branch}, path: .}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;

// Upstream form (peer-formats.md section D), as written.
const upstream = `apiVersion: promoter.argoproj.io/v1alpha1
kind: PromotionStrategy
metadata: {name: web}
spec:
  gitRepositoryRef: {name: web}
  activeCommitStatuses: [{key: argocd-health}, {key: timer}]
  environments:
  - {branch: environment/dev}
  - {branch: environment/staging}
  - {branch: environment/production, autoMerge: false, proposedCommitStatuses: [{key: deployment-freeze}]}
---
apiVersion: promoter.argoproj.io/v1alpha1
kind: GitRepository
metadata: {name: web}
spec:
  github: {owner: org, name: web}
  scmProviderRef: {name: github}
---
apiVersion: promoter.argoproj.io/v1alpha1
kind: ArgoCDCommitStatus
metadata: {name: web}
spec: {key: argocd-health, promotionStrategyRef: {name: web}, applicationSelector: {matchLabels: {app: web}}}
---
apiVersion: promoter.argoproj.io/v1alpha1
kind: TimedCommitStatus
metadata: {name: web}
spec: {key: timer, promotionStrategyRef: {name: web}, environments: [{branch: environment/staging, duration: 4h}]}
`;

const upstreamApps = ['dev', 'staging', 'production'].map((environment) => application(`web-${environment}`, `environment/${environment}`)).join('---\n');
const messages = (list: ReadonlyArray<{ message: string }>) => list.map((finding) => finding.message);
const load = (promoter: string, apps: string) => buildConfig([{ file: 'apps.yaml', text: apps }, { file: 'promoter.yaml', text: promoter }]);

describe('GitOps Promoter → Pipeline', () => {
  it('translates the upstream form: branches → branch-promote, commit statuses → gates, TimedCommitStatus → soak', () => {
    const { config, errors, warnings } = load(upstream, upstreamApps);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual([
      'promoter.yaml: document 2 (web): spec.applicationSelector: GitOps Promoter field is not supported by Tidewater and is ignored',
      'promoter.yaml: document 1 (web): spec.scmProviderRef: is not used: the promoter pushes with the credentials of the Tidewater Repository document for this URL',
    ]);
    const [pipeline] = config.pipelines ?? [];
    expect(pipeline).toMatchObject({ name: 'web', origin: 'gitops-promoter', location: { file: 'promoter.yaml', documentIndex: 0 } });
    expect(pipeline.spec.sources).toEqual([{ name: 'branch-environment-dev', git: { repoURL: 'https://github.com/org/web', branch: 'environment/dev' } }]);
    expect(pipeline.spec.stages).toEqual([
      {
        name: 'dev', applications: ['web-dev'], freightFrom: { sources: ['branch-environment-dev'] }, autoPromote: true,
        verification: [{ type: 'healthy', name: 'argocd-health' }], steps: [{ uses: 'argocd-update', config: { apps: [{ name: 'web-dev' }] } }],
      },
      {
        name: 'staging', applications: ['web-staging'], freightFrom: { stages: ['dev'] }, autoPromote: true,
        verification: [{ type: 'healthy', name: 'argocd-health' }],
        steps: [{ uses: 'branch-promote', config: { repoURL: 'https://github.com/org/web', sourceBranch: 'environment/dev', targetBranch: 'environment/staging' } }],
      },
      {
        name: 'production', applications: ['web-production'], freightFrom: { stages: ['staging'] }, autoPromote: false,
        gates: [{ type: 'commitStatus', key: 'deployment-freeze' }, { type: 'soak', name: 'timer', duration: '4h' }],
        verification: [{ type: 'healthy', name: 'argocd-health' }],
        steps: [{ uses: 'branch-promote', config: { repoURL: 'https://github.com/org/web', sourceBranch: 'environment/staging', targetBranch: 'environment/production' } }],
      },
    ]);
    expect(config.otherDocuments).toHaveLength(4);
  });

  it('matches Applications on the strategy\'s repository only', () => {
    const apps = upstreamApps.replace(/name: web-staging\}\n([\s\S]*?)https:\/\/github\.com\/org\/web\.git/, 'name: web-staging}\n$1https://github.com/org/other.git');
    const { config, warnings } = load(upstream, apps);
    expect(messages(warnings)).toContain(
      "promoter.yaml: document 0 (web): spec.environments[1].branch: no Application tracks branch environment/staging of the strategy's repository (spec.source.targetRevision): the strategy is not run as a pipeline",
    );
    expect(config.pipelines).toEqual([]);
  });

  it('warns about a TimedCommitStatus on an unknown branch or strategy, and a missing GitRepository', () => {
    const promoter = upstream.replace('environments: [{branch: environment/staging, duration: 4h}]', 'environments: [{branch: environment/qa, duration: 4h}]').replace('kind: GitRepository\nmetadata: {name: web}', 'kind: GitRepository\nmetadata: {name: web-repo}');
    const { warnings, errors } = load(promoter, upstreamApps);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual(expect.arrayContaining([
      'promoter.yaml: document 0 (web): spec.gitRepositoryRef.name: GitRepository web is not defined in this configuration: the strategy is not run as a pipeline',
      'promoter.yaml: document 3 (web): spec.environments[0].branch: branch environment/qa is not an environment of PromotionStrategy web: ignored',
    ]));
  });

  it('refuses a successCondition that does not parse, naming the strategy', () => {
    const promoter = upstream.replace('- {branch: environment/staging}', "- {branch: environment/staging, promotionPolicies: [{name: ok, successCondition: \"dev.status == \"}]}");
    const { errors } = load(promoter, upstreamApps);
    expect(messages(errors)).toEqual([
      'promoter.yaml: document 0 (web): spec.environments[1].promotionPolicies[0].successCondition: does not parse as CEL: Unexpected token: EOF (line 1, column 15)',
    ]);
  });

  it('refuses a document that cannot be read, naming the field', () => {
    const { errors } = load(upstream.replace('  - {branch: environment/dev}\n', '  - {autoMerge: true}\n'), upstreamApps);
    expect(messages(errors)).toEqual(['promoter.yaml: document 0 (web): spec.environments[0].branch: is required']);
  });
});

// Seed 002's PromotionStrategy, as written.
const seed = `apiVersion: promoter.argoproj.io/v1alpha1
kind: PromotionStrategy
metadata:
  name: web-app-promotion
spec:
  environments:
  - name: development
    branch: main
    autoPromote: true
  - name: staging
    branch: staging
    autoPromote: true
    promotionPolicies:
    - name: health-check
      successCondition: "app.status.health.status == 'Healthy'"
  - name: production
    branch: production
    autoPromote: false
    approvalRequired: true
    promotionPolicies:
    - name: staging-success
      successCondition: "staging.status == 'Succeeded'"
    - name: security-scan
      successCondition: "securityScan.passed == true"
`;

describe('GitOps Promoter as seed 002 writes it (autoPromote, approvalRequired, successCondition)', () => {
  const seedApps = [application('web-dev', 'main'), application('web-staging', 'staging'), application('web-production', 'production')].join('---\n');

  it('translates environments with names, expression gates and an approval; warns about the variable it cannot provide', () => {
    const { config, errors, warnings } = load(seed, seedApps);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual([
      'promoter.yaml: document 0 (web-app-promotion): spec.environments[2].promotionPolicies[1].successCondition: names securityScan, which the promoter does not provide ' +
        '(it provides app, freight, commitStatuses, stage, development, staging, production): the gate fails until the expression is changed',
    ]);
    const [pipeline] = config.pipelines ?? [];
    expect(pipeline.spec.sources).toEqual([{ name: 'branch-main', git: { repoURL: 'https://github.com/org/web.git', branch: 'main' } }]);
    expect(pipeline.spec.stages.map(({ name, autoPromote, gates, approval }) => ({ name, autoPromote, gates, approval }))).toEqual([
      { name: 'development', autoPromote: true, gates: undefined, approval: undefined },
      { name: 'staging', autoPromote: true, gates: [{ type: 'expression', name: 'health-check', expression: "app.status.health.status == 'Healthy'" }], approval: undefined },
      {
        name: 'production', autoPromote: false, approval: {},
        gates: [{ type: 'expression', name: 'staging-success', expression: "staging.status == 'Succeeded'" }, { type: 'expression', name: 'security-scan', expression: 'securityScan.passed == true' }],
      },
    ]);
  });

  it('warns and runs nothing when no Application tracks an environment branch (seed 002\'s Applications track HEAD)', () => {
    const { config, errors, warnings } = load(seed, application('web-application', 'HEAD'));
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual([
      'promoter.yaml: document 0 (web-app-promotion): spec.environments[0].branch: no Application tracks branch main (spec.source.targetRevision): the strategy is not run as a pipeline',
      'promoter.yaml: document 0 (web-app-promotion): spec.environments[1].branch: no Application tracks branch staging (spec.source.targetRevision): the strategy is not run as a pipeline',
      'promoter.yaml: document 0 (web-app-promotion): spec.environments[2].branch: no Application tracks branch production (spec.source.targetRevision): the strategy is not run as a pipeline',
    ]);
    expect(config.pipelines).toEqual([]);
  });
});
