import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildConfig, parseConfigText } from './build-config.ts';

// Compatibility target: every Argo CD Application and AppProject example in the design seeds loads unchanged.
// The seeds live beside the repository (/work/shared/seeds); TIDEWATER_SEEDS_DIR points elsewhere.
const seedsDir = process.env.TIDEWATER_SEEDS_DIR ?? fileURLToPath(new URL('../../../../shared/seeds/', import.meta.url));
const seedsPresent = existsSync(seedsDir);
if (!seedsPresent) console.warn(`[seeds-compat] ${seedsDir} not found: Argo CD compatibility examples not checked`);

interface ArgoExample {
  label: string;
  block: string;
  documentIndex: number;
  /** `spec:` holding only a comment, as in "spec:  # ... application specification": an elided fragment. */
  elided: boolean;
}

function argoExamples(): { examples: ArgoExample[]; skippedBlocks: string[] } {
  const examples: ArgoExample[] = [];
  const skippedBlocks: string[] = [];
  for (const seedFile of readdirSync(seedsDir).filter((name) => name.endsWith('.txt')).sort()) {
    const text = readFileSync(join(seedsDir, seedFile), 'utf8');
    const blocks = [...text.matchAll(/^[ \t]*```ya?ml[^\n]*\n([\s\S]*?)^[ \t]*```/gm)].map((match) => match[1]);
    blocks.forEach((block, blockIndex) => {
      const documents = parseAllDocuments(block);
      if (!Array.isArray(documents) || documents.some((document) => document.errors.length > 0)) {
        skippedBlocks.push(`${seedFile} block ${blockIndex}`);
        return;
      }
      documents.forEach((document, documentIndex) => {
        const value = document.toJS() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: string }; spec?: unknown } | null;
        if (typeof value?.apiVersion !== 'string' || !value.apiVersion.startsWith('argoproj.io/')) return;
        if (value.kind !== 'Application' && value.kind !== 'AppProject' && value.kind !== 'ApplicationSet') return;
        const label = `${seedFile} block ${blockIndex} document ${documentIndex}: ${value.kind} ${value.metadata?.name ?? '(unnamed)'}`;
        examples.push({ label, block, documentIndex, elided: value.spec === null || value.spec === undefined });
      });
    });
  }
  return { examples, skippedBlocks };
}

describe.skipIf(!seedsPresent)('Argo CD examples from the seeds', () => {
  const { examples, skippedBlocks } = seedsPresent ? argoExamples() : { examples: [], skippedBlocks: [] };
  const complete = examples.filter((example) => !example.elided);
  const elided = examples.filter((example) => example.elided);
  console.info(
    `[seeds-compat] ${complete.length} Application/AppProject examples checked; ${elided.length} elided fragments ` +
      `(spec holds only a comment); ${skippedBlocks.length} yaml blocks skipped as not valid YAML${skippedBlocks.length ? `: ${skippedBlocks.join(', ')}` : ''}`,
  );

  it('finds examples to check', () => {
    expect(complete.length).toBeGreaterThan(0);
  });

  it.each(complete.map((example) => [example.label, example] as const))(`loads unchanged: %s (of ${complete.length}; ${skippedBlocks.length} blocks skipped as invalid YAML)`, (_label, example) => {
    const { errors, warnings } = parseConfigText(example.block, example.label);
    const ownErrors = errors.filter((error) => error.documentIndex === example.documentIndex);
    const ownWarnings = warnings.filter((warning) => warning.documentIndex === example.documentIndex);
    for (const warning of ownWarnings) console.info(`[seeds-compat] warning: ${warning.message}`);
    expect(ownErrors.map((error) => error.message)).toEqual([]);
  });

  it.each(elided.map((example) => [example.label, example] as const))('refuses an elided fragment with a clear error: %s', (_label, example) => {
    const { errors } = parseConfigText(example.block, example.label);
    expect(errors.filter((error) => error.documentIndex === example.documentIndex).map((error) => `${error.field}: ${error.detail}`)).toEqual(['spec: is required']);
  });
});

// Seed 002 ("GitOps Promotion Workflows"): its Kargo and GitOps Promoter documents load as written, with only the
// warnings below (they are fragments: the Stages and Applications they name are not in the seed), and translate into
// pipelines once the parts they leave out are added (named in `completions`).
const promotionSeed = seedsPresent ? readdirSync(seedsDir).find((name) => name.startsWith('002_') && name.endsWith('.txt')) : undefined;

interface PromotionBlock {
  /** The first document's `<kind> <name>`. */
  label: string;
  block: string;
}

function promotionBlocks(seedFile: string): PromotionBlock[] {
  const text = readFileSync(join(seedsDir, seedFile), 'utf8');
  const blocks = [...text.matchAll(/^[ \t]*```ya?ml[^\n]*\n([\s\S]*?)^[ \t]*```/gm)].map((match) => match[1]);
  return blocks.flatMap((block) => {
    const documents = parseAllDocuments(block);
    if (!Array.isArray(documents) || documents.some((document) => document.errors.length > 0)) return [];
    const values = documents.map((document) => document.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } } | null);
    const first = values.find((value) => value?.apiVersion?.startsWith('kargo.akuity.io/') || value?.apiVersion?.startsWith('promoter.argoproj.io/'));
    return first ? [{ label: `${first.kind} ${first.metadata?.name}`, block }] : [];
  });
}

const application = (name: string, repoURL: string, path: string, targetRevision = 'HEAD') => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: default
  source: {repoURL: ${repoURL}, targetRevision: ${targetRevision}, path: ${path}}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`;
const workloads = 'https://github.com/org/dokaseca-workloads';

/** Per block: the warnings it loads with as written, and what a user adds for it to run. */
const expectations: Record<string, { asWritten: string[]; completion: string; pipeline: string; completedWarnings: string[] }> = {
  'Project web-application': {
    asWritten: [
      'Project web-application: document 1 (production): spec.subscriptions.upstreamStages[0].name: Stage staging is not defined in project web-application: the project is not run as a pipeline',
      'Project web-application: document 1 (production): spec.promotionMechanisms.gitRepoUpdates[0].kustomize.images[0].path: no Application found for stage production at path applications/web-app/production of that repository: the project is not run as a pipeline',
      'Project web-application: document 0 (web-application): spec.promotionPolicies[0].stage: Stage staging is not defined in project web-application: the policy applies to nothing',
    ],
    completion: [
      application('web-app-staging', workloads, 'applications/web-app/staging'),
      application('web-app-production', workloads, 'applications/web-app/production'),
      `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: staging, namespace: web-application}
spec:
  subscriptions: {repos: {images: [{repoURL: ghcr.io/org/web-app, semverConstraint: ^1.0.0}]}}
  promotionMechanisms:
    gitRepoUpdates: [{repoURL: ${workloads}, writeBranch: main, kustomize: {images: [{image: ghcr.io/org/web-app, path: applications/web-app/staging}]}}]
`,
    ].join('---\n'),
    pipeline: 'web-application',
    completedWarnings: [],
  },
  'PromotionStrategy web-app-promotion': {
    asWritten: ['main', 'staging', 'production'].map(
      (branch, index) => `PromotionStrategy web-app-promotion: document 0 (web-app-promotion): spec.environments[${index}].branch: no Application tracks branch ${branch} (spec.source.targetRevision): the strategy is not run as a pipeline`,
    ),
    completion: ['main', 'staging', 'production'].map((branch) => application(`web-app-${branch}`, workloads, 'applications/web-app', branch)).join('---\n'),
    pipeline: 'web-app-promotion',
    completedWarnings: [
      'PromotionStrategy web-app-promotion: document 0 (web-app-promotion): spec.environments[2].promotionPolicies[1].successCondition: names securityScan, which the promoter does not provide ' +
        '(it provides app, freight, commitStatuses, stage, development, staging, production): the gate fails until the expression is changed',
    ],
  },
  'Project platform-services': {
    asWritten: [
      'Project platform-services: document 0 (platform-services): Kargo project platform-services has no Stage documents in this configuration: no pipeline is run for it',
      ...['[1].requirements[1].securityScans', '[2].requirements[1].stagingSuccess', '[2].requirements[2].complianceCheck'].map(
        (field) => `Project platform-services: document 0 (platform-services): spec.promotionPolicies${field}: is not a requirement Tidewater can map (it maps manualApproval: true to an approval and healthChecks: true to a healthy gate) and is ignored`,
      ),
    ],
    completion: [
      ...['development', 'staging', 'production'].map((stage) => application(`platform-${stage}`, workloads, `platform/${stage}`)),
      `apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: platform, namespace: platform-services}
spec:
  subscriptions: [{image: {repoURL: ghcr.io/org/platform}}]
`,
      ...['development', 'staging', 'production'].map((stage, index, all) => `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: ${stage}, namespace: platform-services}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: platform}, sources: ${index === 0 ? '{direct: true}' : `{stages: [${all[index - 1]}]}`}}]
  promotionTemplate:
    spec:
      steps:
      - uses: git-clone
        config: {repoURL: ${workloads}, checkout: [{branch: main, path: ./src}]}
      - uses: kustomize-set-image
        config: {path: "./src/platform/\${{ ctx.stage }}", images: [{image: ghcr.io/org/platform}]}
      - uses: git-commit
        config: {path: ./src}
      - uses: git-push
        config: {path: ./src}
`),
    ].join('---\n'),
    pipeline: 'platform-services',
    completedWarnings: ['[1].requirements[1].securityScans', '[2].requirements[1].stagingSuccess', '[2].requirements[2].complianceCheck'].map(
      (field) => `Project platform-services: document 0 (platform-services): spec.promotionPolicies${field}: is not a requirement Tidewater can map (it maps manualApproval: true to an approval and healthChecks: true to a healthy gate) and is ignored`,
    ),
  },
};

describe.skipIf(!promotionSeed)('seed 002 promotion documents (Kargo, GitOps Promoter)', () => {
  const blocks = promotionSeed ? promotionBlocks(promotionSeed) : [];

  it('finds the Kargo and PromotionStrategy examples', () => {
    expect(blocks.map((block) => block.label).sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(blocks.map((block) => [block.label, block] as const))('loads as written with only the documented warnings: %s', (_label, { label, block }) => {
    const { config, errors, warnings } = buildConfig([{ file: label, text: block }]);
    expect(errors.map((error) => error.message)).toEqual([]);
    expect(warnings.map((warning) => warning.message)).toEqual(expectations[label].asWritten);
    expect(config.pipelines).toEqual([]);
  });

  it.each(blocks.map((block) => [block.label, block] as const))('translates into a pipeline once the parts it leaves out are added: %s', (_label, { label, block }) => {
    const expected = expectations[label];
    const { config, errors, warnings } = buildConfig([{ file: label, text: block }, { file: 'completion.yaml', text: expected.completion }]);
    expect(errors.map((error) => error.message)).toEqual([]);
    expect(warnings.map((warning) => warning.message)).toEqual(expected.completedWarnings);
    expect(config.pipelines?.map((pipeline) => pipeline.name)).toEqual([expected.pipeline]);
  });

  it('maps seed 002\'s requirements and approvals onto the stages', () => {
    const platform = blocks.find((block) => block.label === 'Project platform-services');
    const strategy = blocks.find((block) => block.label === 'PromotionStrategy web-app-promotion');
    if (!platform || !strategy) throw new Error('seed 002 examples not found');
    const kargo = buildConfig([{ file: 'seed', text: platform.block }, { file: 'completion.yaml', text: expectations[platform.label].completion }]).config.pipelines?.[0];
    expect(kargo?.spec.stages.map(({ name, autoPromote, gates, approval }) => ({ name, autoPromote, gates, approval }))).toEqual([
      { name: 'development', autoPromote: true, gates: undefined, approval: undefined },
      { name: 'staging', autoPromote: true, gates: [{ type: 'healthy' }], approval: undefined },
      { name: 'production', autoPromote: false, gates: undefined, approval: {} },
    ]);
    const promoter = buildConfig([{ file: 'seed', text: strategy.block }, { file: 'completion.yaml', text: expectations[strategy.label].completion }]).config.pipelines?.[0];
    expect(promoter?.spec.stages.map(({ name, approval, gates }) => ({ name, approval, expressions: gates?.map((gate) => (gate.type === 'expression' ? gate.expression : gate.type)) }))).toEqual([
      { name: 'development', approval: undefined, expressions: undefined },
      { name: 'staging', approval: undefined, expressions: ["app.status.health.status == 'Healthy'"] },
      { name: 'production', approval: {}, expressions: ["staging.status == 'Succeeded'", 'securityScan.passed == true'] },
    ]);
  });
});
