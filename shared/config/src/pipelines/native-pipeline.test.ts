import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfigDir, loadConfigDir } from '../load-dir.ts';

const application = (name: string, path: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: default
  source: {repoURL: https://github.com/org/deploy.git, targetRevision: main, path: ${path}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;

const applications = [application('web-dev', 'env/dev'), application('web-staging', 'env/staging'), application('web-prod', 'env/prod')].join('---\n');

const pipeline = `apiVersion: tidewater.dev/v1alpha1
kind: Pipeline
metadata: {name: web}
spec:
  sources:
  - name: web-image
    image: {repoURL: ghcr.io/org/web, strategy: semver, constraint: ^1.0.0}
  stages:
  - name: dev
    applications: [web-dev]
    freightFrom: {sources: [web-image]}
    autoPromote: true
    steps:
    - uses: git-clone
      config: {repoURL: https://github.com/org/deploy.git, checkout: [{branch: main, path: ./src}]}
    - uses: kustomize-set-image
      config: {path: ./src/env/dev, images: [{image: ghcr.io/org/web}]}
    - uses: git-commit
      config: {path: ./src}
    - uses: git-push
      config: {path: ./src}
  - name: staging
    applications: [web-staging]
    freightFrom: {stages: [dev]}
    autoPromote: true
    gates:
    - {type: healthy}
    - {type: expression, expression: "app.status.health.status == 'Healthy' && dev.status == 'Succeeded'"}
  - name: prod
    applications: [web-prod]
    freightFrom: {stages: [staging]}
    gates: [{type: soak, duration: 1h}]
    approval: {required: 2, expiresAfter: 24h}
`;

describe('native Pipeline documents', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidewater-pipelines-'));
    await mkdir(join(dir, 'apps'));
    await writeFile(join(dir, 'apps', 'web.yaml'), applications);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = async (text: string) => {
    await writeFile(join(dir, 'pipeline.yaml'), text);
    return checkConfigDir(dir);
  };
  const findings = (list: ReadonlyArray<{ field: string; message: string }>) => list.map((finding) => finding.message);

  it('loads into config.pipelines with its location and no findings', async () => {
    await writeFile(join(dir, 'pipeline.yaml'), pipeline);
    const config = await loadConfigDir(dir);
    expect(config.warnings).toEqual([]);
    expect(config.pipelines).toHaveLength(1);
    const [loaded] = config.pipelines ?? [];
    expect(loaded).toMatchObject({ name: 'web', origin: 'tidewater', location: { file: 'pipeline.yaml', documentIndex: 0 } });
    expect(loaded.spec.stages.map((stage) => stage.name)).toEqual(['dev', 'staging', 'prod']);
    expect(loaded.spec.stages[2].approval).toEqual({ required: 2, expiresAfter: '24h' });
    expect(config.otherDocuments).toEqual([]);
  });

  it('refuses an unknown field naming the document and field (strict like other Tidewater kinds)', async () => {
    const { errors } = await load(pipeline.replace('    autoPromote: true\n    steps:', '    autoPromote: true\n    autoPromotion: true\n    steps:'));
    expect(findings(errors)).toEqual(['pipeline.yaml: document 0 (web): spec.stages[0].autoPromotion: unknown field']);
  });

  it('refuses a cycle in freightFrom.stages', async () => {
    const { errors, config } = await load(pipeline.replace('freightFrom: {sources: [web-image]}', 'freightFrom: {sources: [web-image], stages: [prod]}'));
    expect(findings(errors)).toEqual(['pipeline.yaml: document 0 (web): spec.stages[0].freightFrom.stages[0]: cycle between stages: dev → prod → staging → dev']);
    expect(config.pipelines).toEqual([]);
  });

  it('refuses a stage taking freight from itself or from an unknown stage', async () => {
    const { errors } = await load(pipeline.replace('freightFrom: {stages: [staging]}', 'freightFrom: {stages: [prod, qa]}'));
    expect(findings(errors)).toEqual([
      'pipeline.yaml: document 0 (web): spec.stages[2].freightFrom.stages[0]: stage prod takes freight from itself',
      'pipeline.yaml: document 0 (web): spec.stages[2].freightFrom.stages[1]: unknown stage qa',
    ]);
  });

  it('refuses an unknown Application', async () => {
    const { errors } = await load(pipeline.replace('applications: [web-prod]', 'applications: [web-prod, web-production]'));
    expect(findings(errors)).toEqual(['pipeline.yaml: document 0 (web): spec.stages[2].applications[1]: Application web-production is not defined']);
  });

  it('refuses a stage without a source and an unknown source name', async () => {
    const { errors } = await load(
      pipeline.replace('freightFrom: {sources: [web-image]}', 'freightFrom: {sources: [web-img]}').replace('freightFrom: {stages: [dev]}', 'freightFrom: {}'),
    );
    expect(findings(errors)).toEqual([
      'pipeline.yaml: document 0 (web): spec.stages[0].freightFrom.sources[0]: unknown source web-img (sources: web-image)',
      'pipeline.yaml: document 0 (web): spec.stages[1].freightFrom: stage staging has no source: list freightFrom.sources or freightFrom.stages',
    ]);
  });

  it('refuses an expression that does not parse, without quoting it', async () => {
    const { errors } = await load(pipeline.replace("dev.status == 'Succeeded'", "dev.status == 'Succeeded' &&"));
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('spec.stages[1].gates[1].expression');
    expect(errors[0].message).toMatch(/^pipeline\.yaml: document 0 \(web\): spec\.stages\[1\]\.gates\[1\]\.expression: does not parse as CEL: /);
    expect(errors[0].message).not.toContain('Succeeded');
  });

  it('warns about an expression naming a variable the promoter does not provide', async () => {
    const { errors, warnings } = await load(pipeline.replace("dev.status == 'Succeeded'", 'securityScan.passed == true'));
    expect(errors).toEqual([]);
    expect(warnings.map((warning) => warning.field)).toEqual(['spec.stages[1].gates[1].expression']);
    expect(warnings[0].message).toContain('names securityScan, which the promoter does not provide');
  });

  it('refuses a step config missing its required fields, and a force push', async () => {
    const { errors } = await load(
      pipeline
        .replace('config: {path: ./src/env/dev, images: [{image: ghcr.io/org/web}]}', 'config: {images: [{tag: v1}]}')
        .replace('    - uses: git-push\n      config: {path: ./src}', '    - uses: git-push\n      config: {path: ./src, force: true}'),
    );
    expect(findings(errors)).toEqual([
      'pipeline.yaml: document 0 (web): spec.stages[0].steps[1].config.path: is required',
      'pipeline.yaml: document 0 (web): spec.stages[0].steps[1].config.images[0].image: is required',
      'pipeline.yaml: document 0 (web): spec.stages[0].steps[3].config.force: force-push is not supported: Tidewater rebases and retries, never forces',
    ]);
  });

  it('refuses a duplicate Pipeline name across files', async () => {
    await writeFile(join(dir, 'apps', 'again.yaml'), pipeline);
    const { errors } = await load(pipeline);
    expect(findings(errors)).toEqual(['pipeline.yaml: document 0 (web): metadata.name: duplicate Pipeline name web: also defined in apps/again.yaml document 0']);
  });

  it('refuses a source with two kinds and a bad duration', async () => {
    const { errors } = await load(
      pipeline.replace('    image: {repoURL: ghcr.io/org/web, strategy: semver, constraint: ^1.0.0}', '    image: {repoURL: ghcr.io/org/web}\n    git: {repoURL: https://github.com/org/web.git}'),
    );
    expect(findings(errors)).toEqual(['pipeline.yaml: document 0 (web): spec.sources[0]: exactly one of imagePolicy, image, git, chart is required (found image and git)']);
    const { errors: durationErrors } = await load(pipeline.replace('duration: 1h', 'duration: 1 hour'));
    expect(findings(durationErrors)).toEqual(['pipeline.yaml: document 0 (web): spec.stages[2].gates[0].duration: must be a duration such as 30s, 5m or 24h']);
  });
});
