import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';

const application = (name: string, path: string, extra = '') => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
${extra}spec:
  project: default
  source: {repoURL: https://github.com/org/gitops.git, targetRevision: main, path: ${path}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;

const applications = ['dev', 'staging', 'prod'].map((stage) => application(`app-${stage}`, `env/${stage}`)).join('---\n');

// Kargo's quickstart (peer-formats.md section C), as written.
const quickstart = `apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata: {name: demo}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: demo, namespace: demo}
spec:
  promotionPolicies:
  - {stageSelector: {name: dev}, autoPromotionEnabled: true}
  - {stageSelector: {name: staging}, autoPromotionEnabled: true}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: app, namespace: demo}
spec:
  subscriptions: [{image: {repoURL: ghcr.io/org/app, constraint: ^1.0.0}}]
---
apiVersion: kargo.akuity.io/v1alpha1
kind: PromotionTask
metadata: {name: promote, namespace: demo}
spec:
  steps:
  - uses: git-clone
    config: {repoURL: https://github.com/org/gitops.git, checkout: [{branch: main, path: ./src}]}
  - uses: kustomize-set-image
    as: update
    config:
      path: ./src/env/\${{ ctx.stage }}
      images: [{image: ghcr.io/org/app, tag: "\${{ imageFrom('ghcr.io/org/app').Tag }}"}]
  - uses: git-commit
    as: commit
    config: {path: ./src, message: "\${{ task.outputs.update.commitMessage }}"}
  - uses: git-push
    config: {path: ./src}
  - uses: argocd-update
    config:
      apps:
      - name: app-\${{ ctx.stage }}
        sources: [{repoURL: https://github.com/org/gitops.git, desiredRevision: "\${{ task.outputs.commit.commit }}"}]
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: demo}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: app}, sources: {direct: true}}]
  promotionTemplate: {spec: {steps: [{task: {name: promote}}]}}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: staging, namespace: demo}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: app}, sources: {stages: [dev]}}]
  promotionTemplate: {spec: {steps: [{task: {name: promote}}]}}
  verification: {analysisTemplates: [{name: smoke}]}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: prod, namespace: demo}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {stages: [staging], requiredSoakTime: 1h}
  promotionTemplate: {spec: {steps: [{task: {name: promote}}]}}
`;

const load = (kargo: string, apps = applications) => buildConfig([{ file: 'apps.yaml', text: apps }, { file: 'kargo.yaml', text: kargo }]);
const messages = (list: ReadonlyArray<{ message: string }>) => list.map((finding) => finding.message);

describe('Kargo → Pipeline', () => {
  it('translates the quickstart (Warehouse, PromotionTask, requestedFreight, soak, ProjectConfig) into one pipeline', () => {
    const { config, errors, warnings } = load(quickstart);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual(['kargo.yaml: document 5 (staging): spec.verification: Kargo field is not supported by Tidewater and is ignored']);
    expect(config.pipelines).toHaveLength(1);
    const [pipeline] = config.pipelines ?? [];
    expect(pipeline).toMatchObject({ name: 'demo', origin: 'kargo', location: { file: 'kargo.yaml', documentIndex: 0 } });
    expect(pipeline.spec.sources).toEqual([{ name: 'app', image: { repoURL: 'ghcr.io/org/app', strategy: 'semver', constraint: '^1.0.0' } }]);
    expect(pipeline.spec.stages.map(({ name, applications, freightFrom, autoPromote, gates }) => ({ name, applications, freightFrom, autoPromote, gates }))).toEqual([
      { name: 'dev', applications: ['app-dev'], freightFrom: { sources: ['app'] }, autoPromote: true, gates: undefined },
      { name: 'staging', applications: ['app-staging'], freightFrom: { stages: ['dev'] }, autoPromote: true, gates: undefined },
      { name: 'prod', applications: ['app-prod'], freightFrom: { stages: ['staging'] }, autoPromote: undefined, gates: [{ type: 'soak', duration: '1h' }] },
    ]);
    const steps = pipeline.spec.stages[0].steps ?? [];
    expect(steps.map((step) => step.uses)).toEqual(['git-clone', 'kustomize-set-image', 'git-commit', 'git-push', 'argocd-update']);
    // task.outputs inside a PromotionTask become the stage's outputs.
    expect(steps[2]).toEqual({ uses: 'git-commit', as: 'commit', config: { path: './src', message: '${{ outputs.update.commitMessage }}' } });
    // The loader's "not handled yet" warning is gone for the documents translated.
    expect(config.otherDocuments).toHaveLength(7);
  });

  it('matches stage selectors by regex and glob, and labels', () => {
    const kargo = quickstart
      .replace('{stageSelector: {name: dev}, autoPromotionEnabled: true}', '{stageSelector: {name: "regex:^(dev|prod)$"}, autoPromotionEnabled: true}')
      .replace('{stageSelector: {name: staging}, autoPromotionEnabled: true}', '{stageSelector: {name: "glob:stag*"}, autoPromotionEnabled: false}');
    const { config } = load(kargo);
    expect(config.pipelines?.[0].spec.stages.map((stage) => stage.autoPromote)).toEqual([true, false, true]);
  });

  it('warns about unsupported steps, step fields and freight options by name, and still translates', () => {
    const kargo = quickstart
      .replace('  - uses: git-push\n    config: {path: ./src}', '  - uses: git-push\n    config: {path: ./src, provider: github}\n  - uses: argocd-wait\n    config: {apps: [app]}')
      .replace('sources: {stages: [dev]}', 'sources: {stages: [dev], availabilityStrategy: All}');
    const { config, errors, warnings } = load(kargo);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual([
      'kargo.yaml: document 5 (staging): spec.verification: Kargo field is not supported by Tidewater and is ignored',
      'kargo.yaml: document 3 (promote): spec.steps[3].config.provider: Kargo step field is not supported by Tidewater and is ignored',
      'kargo.yaml: document 3 (promote): spec.steps[4].uses: step argocd-wait is not supported by Tidewater and is left out of the promotion ' +
        '(supported: git-clone, kustomize-set-image, yaml-update, git-commit, git-push, git-open-pr, git-wait-for-pr, argocd-update)',
      'kargo.yaml: document 5 (staging): spec.requestedFreight[0].sources.availabilityStrategy: All is not supported: freight verified in any one upstream stage is eligible (OneOf)',
    ]);
    expect(config.pipelines?.[0].spec.stages[0].steps?.map((step) => step.uses)).toEqual(['git-clone', 'kustomize-set-image', 'git-commit', 'git-push', 'argocd-update']);
  });

  it('refuses a step missing a required field, naming the PromotionTask and field', () => {
    const { errors, config } = load(quickstart.replace('config: {repoURL: https://github.com/org/gitops.git, checkout: [{branch: main, path: ./src}]}', 'config: {checkout: [{branch: main, path: ./src}]}'));
    expect(messages(errors)).toEqual(['kargo.yaml: document 3 (promote): spec.steps[0].config.repoURL: is required']);
    expect(config.pipelines).toEqual([]);
  });

  it('refuses a cycle between Stages, naming the Stage', () => {
    const { errors } = load(quickstart.replace('sources: {direct: true}', 'sources: {direct: true, stages: [prod]}'));
    expect(messages(errors)).toEqual(['kargo.yaml: document 4 (dev): translated to Tidewater pipeline demo, spec.stages[0].freightFrom.stages[0]: cycle between stages: dev → prod → staging → dev']);
  });

  it('refuses a namespace that is not a Kubernetes name (it names the pipeline)', () => {
    const { errors } = load(quickstart.replace('metadata: {name: prod, namespace: demo}', 'metadata: {name: prod, namespace: Demo_Prod}'));
    expect(messages(errors)).toEqual([
      'kargo.yaml: document 6 (prod): metadata.namespace: must be a lowercase RFC 1123 name (a-z, 0-9, "-" and ".", starting and ending with a letter or digit)',
    ]);
  });

  it('refuses a Stage without a source and a Stage without a namespace', () => {
    const { errors } = load(quickstart.replace('sources: {stages: [dev]}', 'sources: {}').replace('metadata: {name: prod, namespace: demo}', 'metadata: {name: prod}'));
    expect(messages(errors)).toEqual([
      'kargo.yaml: document 6 (prod): metadata.namespace: is required: a Kargo Stage lives in its Project\'s namespace',
      'kargo.yaml: document 5 (staging): spec.requestedFreight[0].sources: stage staging has no source: set direct: true or list stages',
    ]);
  });

  it('warns and runs nothing when a Warehouse, PromotionTask or Application is missing (as Kargo accepts such Stages)', () => {
    const missing = load(quickstart.replace('origin: {kind: Warehouse, name: app}, sources: {direct: true}', 'origin: {kind: Warehouse, name: images}, sources: {direct: true}'));
    expect(messages(missing.errors)).toEqual([]);
    expect(messages(missing.warnings)).toContain('kargo.yaml: document 4 (dev): spec.requestedFreight[0].origin.name: Warehouse images is not defined in project demo: the project is not run as a pipeline');
    expect(missing.config.pipelines).toEqual([]);
    const noTask = load(quickstart.replace('metadata: {name: promote, namespace: demo}', 'metadata: {name: promote-all, namespace: demo}'));
    expect(messages(noTask.warnings)).toContain('kargo.yaml: document 4 (dev): spec.promotionTemplate.spec.steps[0].task.name: PromotionTask promote is not defined in this configuration: stage dev cannot be promoted');
    expect(noTask.config.pipelines).toEqual([]);
    const noApp = load(quickstart, application('app-dev', 'env/dev'));
    expect(messages(noApp.warnings)).toContain(
      'kargo.yaml: document 5 (staging): no Application found for stage staging (none named by argocd-update, at a kustomize-set-image / yaml-update path, or annotated kargo.akuity.io/authorized-stage): the project is not run as a pipeline',
    );
    expect(noApp.config.pipelines).toEqual([]);
  });

  it('translates yaml-update, git-open-pr and git-wait-for-pr steps, finding the Application beside the values file', () => {
    const apps = [application('app-dev', 'env/dev'), application('app-staging', 'env/staging'), application('chart-prod', 'charts/web')].join('---\n');
    const prod = `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: prod, namespace: demo}
spec:
  requestedFreight:
  - origin: {kind: Warehouse, name: app}
    sources: {stages: [staging]}
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config: {repoURL: https://github.com/org/gitops.git, checkout: [{branch: main, path: ./out}]}
      - uses: yaml-update
        config:
          path: ./out/charts/web/values-prod.yaml
          updates: [{key: image.tag, value: "\${{ imageFrom('ghcr.io/org/app').Tag }}"}]
      - uses: git-commit
        config: {path: ./out}
      - uses: git-push
        config: {path: ./out, generateTargetBranch: true}
      - uses: git-open-pr
        as: open-pr
        config: {repoURL: https://github.com/org/gitops.git, sourceBranch: "\${{ outputs.push.branch }}", targetBranch: main}
      - uses: git-wait-for-pr
        config: {repoURL: https://github.com/org/gitops.git, prNumber: "\${{ outputs['open-pr'].pr.id }}"}
`;
    const kargo = quickstart.slice(0, quickstart.lastIndexOf('---\n')) + '---\n' + prod;
    const { config, errors, warnings } = load(kargo, apps);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual(['kargo.yaml: document 5 (staging): spec.verification: Kargo field is not supported by Tidewater and is ignored']);
    const stage = config.pipelines?.[0].spec.stages[2];
    expect(stage?.applications).toEqual(['chart-prod']);
    expect(stage?.steps?.map((step) => step.uses)).toEqual(['git-clone', 'yaml-update', 'git-commit', 'git-push', 'git-open-pr', 'git-wait-for-pr']);
    expect(stage?.steps?.[5].config).toEqual({ repoURL: 'https://github.com/org/gitops.git', prNumber: "${{ outputs['open-pr'].pr.id }}" });

    const broken = load(kargo.replace("prNumber: \"\${{ outputs['open-pr'].pr.id }}\"", 'prNumber: latest').replace('updates: [{key: image.tag, value:', 'changes: [{key: image.tag, value:'), apps);
    expect(messages(broken.errors)).toEqual([
      'kargo.yaml: document 6 (prod): spec.promotionTemplate.spec.steps[1].config.updates: is required',
      'kargo.yaml: document 6 (prod): spec.promotionTemplate.spec.steps[5].config.prNumber: must be a number or a ${{ }} template',
    ]);
    expect(messages(broken.warnings)).toContain('kargo.yaml: document 6 (prod): spec.promotionTemplate.spec.steps[1].config.changes: Kargo step field is not supported by Tidewater and is ignored');
  });

  it('resolves ctx.stage, ctx.project and vars (template < task default < task step input) at load', () => {
    const kargo = quickstart
      .replace('kind: PromotionTask\nmetadata: {name: promote, namespace: demo}\nspec:\n', 'kind: PromotionTask\nmetadata: {name: promote, namespace: demo}\nspec:\n  vars: [{name: repo, value: https://github.com/org/gitops.git}, {name: image}]\n')
      .replace("images: [{image: ghcr.io/org/app, tag:", "images: [{image: \"${{ vars.image }}\", newName: \"${{ ctx.project }}-${{ vars.suffix }}\", tag:")
      .replace('metadata: {name: dev, namespace: demo}\nspec:\n  requestedFreight: [{origin: {kind: Warehouse, name: app}, sources: {direct: true}}]\n  promotionTemplate: {spec: {steps: [{task: {name: promote}}]}}',
        'metadata: {name: dev, namespace: demo}\nspec:\n  requestedFreight: [{origin: {kind: Warehouse, name: app}, sources: {direct: true}}]\n  promotionTemplate: {spec: {vars: [{name: suffix, value: mirror}], steps: [{task: {name: promote}, vars: [{name: image, value: ghcr.io/org/app}]}]}}');
    const { config, errors } = load(kargo);
    // staging and prod run the task without an image input: the error names the task step that reads it.
    expect(messages(errors)).toEqual(['kargo.yaml: document 3 (promote): spec.steps[1].config: names vars.image, which has no value (define it in vars of the task or of the step running it)',
      'kargo.yaml: document 3 (promote): spec.steps[1].config: names vars.suffix, which has no value (define it in vars of the task or of the step running it)']);
    expect(config.pipelines).toEqual([]);
    const devOnly = load(kargo.replace(/---\napiVersion: kargo.akuity.io\/v1alpha1\nkind: Stage\nmetadata: \{name: staging[\s\S]*$/, ''));
    expect(messages(devOnly.errors)).toEqual([]);
    const setImage = devOnly.config.pipelines?.[0].spec.stages[0].steps?.[1];
    expect(setImage?.config).toEqual({ path: './src/env/dev', images: [{ image: 'ghcr.io/org/app', newName: 'demo-mirror', tag: "${{ imageFrom('ghcr.io/org/app').Tag }}" }] });
  });

  it('finds Applications by the kargo.akuity.io/authorized-stage annotation', () => {
    const apps = [application('web-a', 'x', '  annotations: {kargo.akuity.io/authorized-stage: "demo:dev"}\n'), application('app-staging', 'env/staging'), application('app-prod', 'env/prod')].join('---\n');
    const { config } = load(quickstart, apps);
    expect(config.pipelines?.[0].spec.stages[0].applications).toEqual(['web-a']);
  });
});

// Seed 002, as written, plus the staging Stage and the Applications it leaves out.
const seedProject = `apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata:
  name: web-application
spec:
  promotionPolicies:
  - stage: staging
    autoPromotionEnabled: true
  - stage: production
    autoPromotionEnabled: false
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: production
  namespace: web-application
spec:
  subscriptions:
    upstreamStages:
    - name: staging
  promotionMechanisms:
    gitRepoUpdates:
    - repoURL: https://github.com/org/dokaseca-workloads
      writeBranch: main
      kustomize:
        images:
        - image: ghcr.io/org/web-app
          path: applications/web-app/production
`;

const seedStaging = `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: staging, namespace: web-application}
spec:
  subscriptions:
    repos:
      images: [{repoURL: ghcr.io/org/web-app, semverConstraint: ^1.0.0}]
  promotionMechanisms:
    gitRepoUpdates:
    - repoURL: https://github.com/org/dokaseca-workloads
      writeBranch: main
      kustomize:
        images: [{image: ghcr.io/org/web-app, path: applications/web-app/staging}]
`;

const seedApplications = ['staging', 'production']
  .map((stage) => application(`web-app-${stage}`, `applications/web-app/${stage}`).replace('https://github.com/org/gitops.git', 'https://github.com/org/dokaseca-workloads'))
  .join('---\n');

describe('Kargo before v0.6 (seed 002: Project promotionPolicies, subscriptions, promotionMechanisms)', () => {
  it('translates kustomize images per path into steps and matches Applications by path', () => {
    const { config, errors, warnings } = buildConfig([
      { file: 'apps.yaml', text: seedApplications },
      { file: 'kargo.yaml', text: seedProject },
      { file: 'staging.yaml', text: seedStaging },
    ]);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual([]);
    const [pipeline] = config.pipelines ?? [];
    expect(pipeline.name).toBe('web-application');
    expect(pipeline.spec.sources).toEqual([{ name: 'staging-image-0', image: { repoURL: 'ghcr.io/org/web-app', strategy: 'semver', constraint: '^1.0.0' } }]);
    const production = pipeline.spec.stages.find((stage) => stage.name === 'production');
    expect(production).toEqual({
      name: 'production',
      applications: ['web-app-production'],
      freightFrom: { stages: ['staging'] },
      autoPromote: false,
      steps: [
        { uses: 'git-clone', config: { repoURL: 'https://github.com/org/dokaseca-workloads', checkout: [{ branch: 'main', path: './src' }] } },
        { uses: 'kustomize-set-image', config: { path: './src/applications/web-app/production', images: [{ image: 'ghcr.io/org/web-app' }] } },
        { uses: 'git-commit', config: { path: './src' } },
        { uses: 'git-push', config: { path: './src', targetBranch: 'main' } },
      ],
    });
    expect(pipeline.spec.stages.find((stage) => stage.name === 'staging')?.autoPromote).toBe(true);
  });

  it('names an old subscription\'s unsupported option where it is written', () => {
    const staging = seedStaging.replace('images: [{repoURL: ghcr.io/org/web-app, semverConstraint: ^1.0.0}]', 'images: [{repoURL: ghcr.io/org/web-app, semverConstraint: ^1.0.0}]\n      git: [{repoURL: https://github.com/org/web, commitSelectionStrategy: NewestTag}]');
    const { warnings } = buildConfig([{ file: 'apps.yaml', text: seedApplications }, { file: 'kargo.yaml', text: seedProject }, { file: 'staging.yaml', text: staging }]);
    expect(messages(warnings)).toEqual(['staging.yaml: document 0 (staging): spec.subscriptions.repos.git[0].commitSelectionStrategy: NewestTag is not supported: tags are selected by semverConstraint, commits by branch']);
  });

  it('maps seed requirements: manualApproval → approval, healthChecks → healthy gate, others warned by name', () => {
    const project = seedProject.replace('  - stage: production\n    autoPromotionEnabled: false', '  - stage: production\n    autoPromotionEnabled: false\n    requirements:\n    - healthChecks: true\n    - manualApproval: true\n    - complianceCheck: true');
    const { config, errors, warnings } = buildConfig([
      { file: 'apps.yaml', text: seedApplications },
      { file: 'kargo.yaml', text: project },
      { file: 'staging.yaml', text: seedStaging },
    ]);
    expect(messages(errors)).toEqual([]);
    expect(messages(warnings)).toEqual([
      'kargo.yaml: document 0 (web-application): spec.promotionPolicies[1].requirements[2].complianceCheck: is not a requirement Tidewater can map (it maps manualApproval: true to an approval and healthChecks: true to a healthy gate) and is ignored',
    ]);
    const production = config.pipelines?.[0].spec.stages.find((stage) => stage.name === 'production');
    expect(production?.approval).toEqual({});
    expect(production?.gates).toEqual([{ type: 'healthy' }]);
  });
});
