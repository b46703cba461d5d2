/**
 * Kargo → Pipeline (origin `kargo`). The Stages of one Kargo Project (namespace) form one Pipeline named after the
 * Project; Warehouse subscriptions become its sources; promotion policies set `autoPromote`. Documents are accepted
 * as written: unsupported fields are warned by name. As in Kargo, whose API accepts a Stage naming a Stage or
 * Warehouse that does not exist (it simply never receives freight), a reference to something not in the
 * configuration, or a stage whose Applications cannot be found, is a warning and the Project is not run; a document
 * that cannot be read, a cycle or a step missing a required field is an error.
 */
import type { ConfigLocation } from '../errors.ts';
import type { ArgoApplication } from '../schema/application.ts';
import { applicationsAtPath, applicationsAuthorizedFor, normalisePath } from './application-match.ts';
import type { PipelineFinding } from './check-pipeline.ts';
import {
  kargoApiVersion, KargoProject, KargoProjectConfig, KargoPromotionTask, KargoStage, KargoWarehouse,
  type KargoChartSubscription, type KargoGitSubscription, type KargoImageSubscription, type KargoStep,
} from './kargo-schema.ts';
import { translateKargoSteps, withStageName } from './kargo-steps.ts';
import type { FreightSource, Gate, PipelineSpec, PipelineStage, PromotionStep } from './pipeline.ts';
import { readForeign } from './read-foreign.ts';
import { globMatch } from '../glob.ts';

export interface ForeignDocument {
  value: unknown;
  location: ConfigLocation;
}

export interface LocatedFinding extends PipelineFinding {
  location: ConfigLocation;
}

export interface TranslatedPipeline {
  name: string;
  spec: PipelineSpec;
  location: ConfigLocation;
  /** Where each stage was written (for findings about the translated pipeline). */
  stageLocations: ConfigLocation[];
  /** Pipeline field (`spec.stages[2].gates[1].expression`) → the field it was translated from, where known. */
  sourceFields?: Map<string, Array<string | number>>;
}

export interface Translation {
  pipelines: TranslatedPipeline[];
  /** Documents this translation read (their "not handled yet" warning is dropped). */
  handled: ConfigLocation[];
  errors: LocatedFinding[];
  warnings: LocatedFinding[];
}

export const isKargoDocument = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as { apiVersion?: unknown }).apiVersion === kargoApiVersion &&
  ['Project', 'ProjectConfig', 'Warehouse', 'Stage', 'PromotionTask', 'ClusterPromotionTask'].includes(String((value as { kind?: unknown }).kind));

interface Read<T> { value: T; location: ConfigLocation }

interface KargoProjectDocuments {
  project?: Read<KargoProject>;
  projectConfigs: Array<Read<KargoProjectConfig>>;
  warehouses: Array<Read<KargoWarehouse>>;
  stages: Array<Read<KargoStage>>;
  tasks: Array<Read<KargoPromotionTask>>;
}

const keyOf = (location: ConfigLocation) => `${location.file}#${location.documentIndex}`;

export function translateKargo(documents: readonly ForeignDocument[], applications: readonly ArgoApplication[]): Translation {
  const result: Translation = { pipelines: [], handled: [], errors: [], warnings: [] };
  const byNamespace = new Map<string, KargoProjectDocuments>();
  const clusterTasks: Array<Read<KargoPromotionTask>> = [];
  const locations = new Map<string, ConfigLocation>();
  const project = (namespace: string) => {
    let found = byNamespace.get(namespace);
    if (!found) byNamespace.set(namespace, (found = { projectConfigs: [], warehouses: [], stages: [], tasks: [] }));
    return found;
  };

  for (const document of documents) {
    if (!isKargoDocument(document.value)) continue;
    result.handled.push(document.location);
    locations.set(keyOf(document.location), document.location);
    const kind = (document.value as { kind: string }).kind;
    const schema = kind === 'Project' ? KargoProject : kind === 'ProjectConfig' ? KargoProjectConfig : kind === 'Warehouse' ? KargoWarehouse : kind === 'Stage' ? KargoStage : KargoPromotionTask;
    const read = readForeign(schema as typeof KargoStage, document.value, 'Kargo');
    for (const finding of read.warnings) result.warnings.push({ ...finding, location: document.location });
    for (const finding of read.errors) result.errors.push({ ...finding, location: document.location });
    if (!read.value) continue;
    const value = read.value as unknown as { kind: string; metadata: { name: string; namespace?: string } };
    if (kind === 'Project') {
      const projectDocuments = project(value.metadata.name);
      if (projectDocuments.project) result.errors.push({ location: document.location, path: ['metadata', 'name'], detail: `duplicate Kargo Project ${value.metadata.name}` });
      else projectDocuments.project = { value: value as unknown as KargoProject, location: document.location };
      continue;
    }
    if (kind === 'ClusterPromotionTask') {
      clusterTasks.push({ value: value as unknown as KargoPromotionTask, location: document.location });
      continue;
    }
    const namespace = value.metadata.namespace;
    if (!namespace) {
      result.errors.push({ location: document.location, path: ['metadata', 'namespace'], detail: `is required: a Kargo ${kind} lives in its Project's namespace` });
      continue;
    }
    const target = project(namespace);
    const at = { location: document.location };
    if (kind === 'ProjectConfig') target.projectConfigs.push({ value: value as unknown as KargoProjectConfig, ...at });
    else if (kind === 'Warehouse') target.warehouses.push({ value: value as unknown as KargoWarehouse, ...at });
    else if (kind === 'Stage') target.stages.push({ value: value as unknown as KargoStage, ...at });
    else target.tasks.push({ value: value as unknown as KargoPromotionTask, ...at });
  }

  for (const [namespace, projectDocuments] of byNamespace) {
    translateProject(namespace, projectDocuments, clusterTasks, applications, locations, result);
  }
  // A PromotionTask used by several Stages is translated once per Stage: report its findings once.
  return { ...result, errors: uniqueFindings(result.errors), warnings: uniqueFindings(result.warnings) };
}

function uniqueFindings(findings: readonly LocatedFinding[]): LocatedFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${keyOf(finding.location)}|${finding.path.join('.')}|${finding.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function translateProject(
  namespace: string, documents: KargoProjectDocuments, clusterTasks: ReadonlyArray<Read<KargoPromotionTask>>, applications: readonly ArgoApplication[],
  locations: ReadonlyMap<string, ConfigLocation>, result: Translation,
): void {
  const errorCount = result.errors.length;
  const error = (location: ConfigLocation, path: Array<string | number>, detail: string) => result.errors.push({ location, path, detail });
  const warning = (location: ConfigLocation, path: Array<string | number>, detail: string) => result.warnings.push({ location, path, detail });
  /** Reasons the project cannot run as a pipeline (each already warned where it is written). */
  const blockers: string[] = [];
  const projectLocation = documents.project?.location ?? documents.projectConfigs[0]?.location ?? documents.stages[0]?.location ?? documents.warehouses[0]?.location ?? documents.tasks[0]?.location;
  if (!projectLocation) return;
  if (documents.stages.length === 0) {
    if (documents.project || documents.projectConfigs.length > 0) warning(projectLocation, [], `Kargo project ${namespace} has no Stage documents in this configuration: no pipeline is run for it`);
    applyPromotionPolicies(namespace, documents, [], error, warning);
    return;
  }

  const sources: FreightSource[] = [];
  const warehouseSources = new Map<string, string[]>();
  for (const { value: warehouse, location } of documents.warehouses) {
    const name = warehouse.metadata.name;
    if (warehouseSources.has(name)) {
      error(location, ['metadata', 'name'], `duplicate Warehouse ${name} in project ${namespace}`);
      continue;
    }
    if (warehouse.spec.freightCreationPolicy === 'Manual') warning(location, ['spec', 'freightCreationPolicy'], 'Manual is not supported: Tidewater creates freight for every new artifact');
    const names: string[] = [];
    warehouse.spec.subscriptions.forEach((subscription, index) => {
      const sourceName = warehouse.spec.subscriptions.length === 1 ? name : `${name}-${sanitise(subscription.name ?? String(index))}`;
      const source = subscriptionSource(sourceName, subscription, (field, detail) => warning(location, ['spec', 'subscriptions', index, ...field], detail));
      if (!source) {
        error(location, ['spec', 'subscriptions', index], 'exactly one of image, git or chart is required');
        return;
      }
      sources.push(source);
      names.push(sourceName);
    });
    warehouseSources.set(name, names);
  }

  const stageNames = new Set(documents.stages.map((stage) => stage.value.metadata.name));
  const findTask = (name: string, kind: 'PromotionTask' | 'ClusterPromotionTask') => {
    const task = (kind === 'PromotionTask' ? documents.tasks : clusterTasks).find((candidate) => candidate.value.metadata.name === name);
    return task ? { document: keyOf(task.location), steps: task.value.spec.steps as KargoStep[] } : undefined;
  };

  const stages: PipelineStage[] = [];
  const stageLocations: ConfigLocation[] = [];
  for (const { value: stage, location } of documents.stages) {
    const name = stage.metadata.name;
    const spec = stage.spec;
    const freightSources = new Set<string>();
    const upstream = new Set<string>();
    const gates: Gate[] = [];
    const steps: PromotionStep[] = [];
    const found = new Set<string>(applicationsAuthorizedFor(applications, namespace, name));
    const unmatched: Array<{ path: Array<string | number>; what: string }> = [];

    if (spec.requestedFreight && spec.requestedFreight.length > 0) {
      if (spec.subscriptions) warning(location, ['spec', 'subscriptions'], 'is ignored: the Stage also has requestedFreight');
      spec.requestedFreight.forEach((request, index) => {
        const at = ['spec', 'requestedFreight', index];
        const fromWarehouse = warehouseSources.get(request.origin.name);
        if (!fromWarehouse) {
          blockers.push(`Warehouse ${request.origin.name}`);
          warning(location, [...at, 'origin', 'name'], `Warehouse ${request.origin.name} is not defined in project ${namespace}: the project is not run as a pipeline`);
        }
        if (request.sources.direct) for (const source of fromWarehouse ?? []) freightSources.add(source);
        request.sources.stages?.forEach((upstreamStage, position) => {
          if (!stageNames.has(upstreamStage)) {
            blockers.push(`Stage ${upstreamStage}`);
            warning(location, [...at, 'sources', 'stages', position], `Stage ${upstreamStage} is not defined in project ${namespace}: the project is not run as a pipeline`);
          }
          upstream.add(upstreamStage);
        });
        if (!request.sources.direct && (request.sources.stages ?? []).length === 0) error(location, [...at, 'sources'], `stage ${name} has no source: set direct: true or list stages`);
        if (request.sources.requiredSoakTime) gates.push({ type: 'soak', duration: request.sources.requiredSoakTime });
        if (request.sources.availabilityStrategy === 'All') warning(location, [...at, 'sources', 'availabilityStrategy'], 'All is not supported: freight verified in any one upstream stage is eligible (OneOf)');
        if (request.sources.autoPromotionOptions?.selectionPolicy === 'MatchUpstream') warning(location, [...at, 'sources', 'autoPromotionOptions', 'selectionPolicy'], 'MatchUpstream is not supported: the newest eligible freight is promoted (NewestFreight)');
      });
    } else if (spec.subscriptions) {
      spec.subscriptions.upstreamStages?.forEach((upstreamStage, position) => {
        if (!stageNames.has(upstreamStage.name)) {
          blockers.push(`Stage ${upstreamStage.name}`);
          warning(location, ['spec', 'subscriptions', 'upstreamStages', position, 'name'], `Stage ${upstreamStage.name} is not defined in project ${namespace}: the project is not run as a pipeline`);
        }
        upstream.add(upstreamStage.name);
      });
      if (spec.subscriptions.warehouse) {
        const fromWarehouse = warehouseSources.get(spec.subscriptions.warehouse);
        if (!fromWarehouse) {
          blockers.push(`Warehouse ${spec.subscriptions.warehouse}`);
          warning(location, ['spec', 'subscriptions', 'warehouse'], `Warehouse ${spec.subscriptions.warehouse} is not defined in project ${namespace}: the project is not run as a pipeline`);
        }
        for (const source of fromWarehouse ?? []) freightSources.add(source);
      }
      const repos = spec.subscriptions.repos;
      const subscriptions = [
        ...(repos?.images ?? []).map((image, index) => ({ field: ['images', index], sourceName: `${name}-image-${index}`, subscription: { image } })),
        ...(repos?.git ?? []).map((git, index) => ({ field: ['git', index], sourceName: `${name}-git-${index}`, subscription: { git } })),
        ...(repos?.charts ?? []).map((chart, index) => ({ field: ['charts', index], sourceName: `${name}-chart-${index}`, subscription: { chart } })),
      ];
      for (const { field, sourceName, subscription } of subscriptions) {
        const source = subscriptionSource(sourceName, subscription, (path, detail) => warning(location, ['spec', 'subscriptions', 'repos', ...field, ...path], detail));
        if (source) {
          sources.push(source);
          freightSources.add(sourceName);
        }
      }
      if (freightSources.size === 0 && upstream.size === 0) error(location, ['spec', 'subscriptions'], `stage ${name} has no source: list upstreamStages, a warehouse or repos`);
    } else {
      error(location, ['spec', 'requestedFreight'], `is required: stage ${name} has no source of freight`);
    }

    const mechanisms = spec.promotionMechanisms;
    if (mechanisms && spec.promotionTemplate) warning(location, ['spec', 'promotionMechanisms'], 'is ignored: the Stage also has a promotionTemplate');
    else if (mechanisms) {
      const updates = mechanisms.gitRepoUpdates ?? [];
      updates.forEach((update, index) => {
        const at = ['spec', 'promotionMechanisms', 'gitRepoUpdates', index];
        const branch = update.readBranch ?? update.writeBranch;
        if (!branch) {
          error(location, [...at, 'writeBranch'], 'is required (or readBranch)');
          return;
        }
        const path = updates.length === 1 ? './src' : `./src-${index}`;
        steps.push({ uses: 'git-clone', config: { repoURL: update.repoURL, checkout: [{ branch, path }] } });
        const byPath = new Map<string, string[]>();
        update.kustomize?.images.forEach(({ image, path: imagePath }, position) => {
          byPath.set(imagePath, [...(byPath.get(imagePath) ?? []), image]);
          const matched = applicationsAtPath(applications, update.repoURL, imagePath);
          if (matched.length === 0) unmatched.push({ path: [...at, 'kustomize', 'images', position, 'path'], what: `path ${normalisePath(imagePath) || '.'} of that repository` });
          for (const application of matched) found.add(application);
        });
        for (const [imagePath, images] of byPath) {
          steps.push({ uses: 'kustomize-set-image', config: { path: `${path}/${normalisePath(imagePath)}`, images: images.map((image) => ({ image })) } });
        }
        steps.push({ uses: 'git-commit', config: { path } });
        steps.push({ uses: 'git-push', config: { path, targetBranch: update.writeBranch ?? branch } });
      });
      mechanisms.argoCDAppUpdates?.forEach((update, index) => {
        if (applications.some((application) => application.metadata.name === update.appName)) found.add(update.appName);
        else unmatched.push({ path: ['spec', 'promotionMechanisms', 'argoCDAppUpdates', index, 'appName'], what: `the name ${update.appName}` });
      });
      if ((mechanisms.argoCDAppUpdates ?? []).length > 0) {
        steps.push({ uses: 'argocd-update', config: { apps: (mechanisms.argoCDAppUpdates ?? []).map((update) => ({ name: update.appName, ...(update.appNamespace ? { namespace: update.appNamespace } : {}) })) } });
      }
    }
    if (spec.promotionTemplate) {
      const translated = translateKargoSteps(spec.promotionTemplate.spec.steps, { document: keyOf(location), path: ['spec', 'promotionTemplate', 'spec', 'steps'] }, findTask, name);
      const locate = (document: string) => locations.get(document) ?? location;
      for (const finding of translated.errors) error(locate(finding.document), finding.path, finding.detail);
      for (const finding of translated.warnings) warning(locate(finding.document), finding.path, finding.detail);
      blockers.push(...translated.missingTasks.map((task) => `PromotionTask ${task}`));
      steps.push(...translated.steps);
      for (const application of applicationsFromSteps(translated.steps, applications, name)) found.add(application);
    }

    const stageApplications = [...found];
    if (stageApplications.length === 0) {
      blockers.push(`Applications of stage ${name}`);
      const how = unmatched.length > 0 ? '' : ' (none named by argocd-update, at a kustomize-set-image / yaml-update path, or annotated kargo.akuity.io/authorized-stage)';
      warning(location, unmatched[0]?.path ?? [], `no Application found for stage ${name}${unmatched[0] ? ` at ${unmatched[0].what}` : ''}${how}: the project is not run as a pipeline`);
    } else {
      for (const miss of unmatched) warning(location, miss.path, `no Application at ${miss.what}: only ${stageApplications.join(', ')} is updated by stage ${name}`);
    }
    stages.push({
      name,
      applications: stageApplications,
      freightFrom: { ...(freightSources.size > 0 ? { sources: [...freightSources] } : {}), ...(upstream.size > 0 ? { stages: [...upstream] } : {}) },
      ...(gates.length > 0 ? { gates } : {}),
      ...(steps.length > 0 ? { steps } : {}),
    });
    stageLocations.push(location);
  }

  applyPromotionPolicies(namespace, documents, stages, error, warning);
  if (blockers.length > 0 || result.errors.length > errorCount) return;
  const used = new Set(stages.flatMap((stage) => stage.freightFrom.sources ?? []));
  const usedSources = sources.filter((source) => used.has(source.name));
  if (usedSources.length === 0) {
    warning(projectLocation, [], `Kargo project ${namespace} has no freight source (no stage takes freight directly from a Warehouse or subscription): no pipeline is run for it`);
    return;
  }
  result.pipelines.push({ name: namespace, spec: { sources: usedSources, stages }, location: projectLocation, stageLocations });
}

type Report = (location: ConfigLocation, path: Array<string | number>, detail: string) => void;

/** Project (old) and ProjectConfig promotion policies → autoPromote; seed 002's `requirements` → approval and gates. */
function applyPromotionPolicies(namespace: string, documents: KargoProjectDocuments, stages: PipelineStage[], error: Report, warning: Report): void {
  const stageByName = new Map(stages.map((stage) => [stage.name, stage]));
  const project = documents.project;
  // Without any Stage the project is already warned as a whole; policies are still read for their unsupported parts.
  const reportMissing = documents.stages.length > 0;
  project?.value.spec?.promotionPolicies?.forEach((policy, index) => {
    const at = ['spec', 'promotionPolicies', index];
    const stage = stageByName.get(policy.stage);
    if (!stage && reportMissing) warning(project.location, [...at, 'stage'], `Stage ${policy.stage} is not defined in project ${namespace}: the policy applies to nothing`);
    if (stage && policy.autoPromotionEnabled !== undefined) stage.autoPromote = policy.autoPromotionEnabled;
    policy.requirements?.forEach((requirement, position) => {
      for (const [key, value] of Object.entries(requirement)) {
        const field = [...at, 'requirements', position, key];
        if ((key === 'manualApproval' || key === 'healthChecks') && typeof value === 'boolean') {
          if (stage && value && key === 'manualApproval') stage.approval = {};
          if (stage && value && key === 'healthChecks') stage.gates = [...(stage.gates ?? []), { type: 'healthy' }];
        } else {
          warning(project.location, field, 'is not a requirement Tidewater can map (it maps manualApproval: true to an approval and healthChecks: true to a healthy gate) and is ignored');
        }
      }
    });
  });
  for (const { value: config, location } of documents.projectConfigs) {
    if (config.metadata.name !== namespace) {
      warning(location, ['metadata', 'name'], `a ProjectConfig must be named after its project (${namespace}): its policies are ignored`);
      continue;
    }
    config.spec?.promotionPolicies?.forEach((policy, index) => {
      const at = ['spec', 'promotionPolicies', index];
      const selector = policy.stageSelector;
      if (policy.stage === undefined && selector === undefined) {
        error(location, at, 'one of stage or stageSelector is required');
        return;
      }
      const written = documents.stages;
      const matched = written.filter(({ value: stage }) => {
        const name = stage.metadata.name;
        if (policy.stage !== undefined) return name === policy.stage;
        if (selector?.name !== undefined && !stageNameMatches(selector.name, name)) return false;
        return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => stage.metadata.labels?.[key] === value);
      });
      if (matched.length === 0) {
        if (!reportMissing) return;
        warning(location, [...at, policy.stage !== undefined ? 'stage' : 'stageSelector'], `matches no Stage of project ${namespace}: the policy applies to nothing`);
        return;
      }
      for (const { value: stage } of matched) {
        const translated = stageByName.get(stage.metadata.name);
        if (translated && policy.autoPromotionEnabled !== undefined) translated.autoPromote = policy.autoPromotionEnabled;
      }
    });
  }
}

function stageNameMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('regex:')) {
    try {
      return new RegExp(pattern.slice('regex:'.length)).test(name);
    } catch {
      return false;
    }
  }
  if (pattern.startsWith('glob:')) return globMatch(pattern.slice('glob:'.length), name);
  return pattern === name;
}

/** A Warehouse (or old Stage) subscription → a freight source; undefined unless exactly one kind is set. */
function subscriptionSource(
  name: string,
  subscription: { image?: KargoImageSubscription; git?: KargoGitSubscription; chart?: KargoChartSubscription },
  warn: (field: Array<string | number>, detail: string) => void,
): FreightSource | undefined {
  const kinds = (['image', 'git', 'chart'] as const).filter((kind) => subscription[kind] !== undefined);
  if (kinds.length !== 1) return undefined;
  const { image, git, chart } = subscription;
  if (image) {
    const strategy = { SemVer: 'semver', Lexical: 'alphabetical', NewestBuild: 'newest-build', Digest: 'digest' } as const;
    const allow = [...(image.allowTags ? [image.allowTags] : []), ...(image.allowTagsRegexes ?? [])];
    return {
      name,
      image: {
        repoURL: image.repoURL,
        strategy: strategy[image.imageSelectionStrategy ?? 'SemVer'],
        ...(image.constraint ?? image.semverConstraint ? { constraint: image.constraint ?? image.semverConstraint } : {}),
        ...(allow.length > 0 ? { allowTags: allow.length === 1 ? allow[0] : allow.map((pattern) => `(?:${pattern})`).join('|') } : {}),
        ...(image.ignoreTags ? { ignoreTags: image.ignoreTags } : {}),
      },
    };
  }
  if (git) {
    const strategy = git.commitSelectionStrategy ?? 'NewestFromBranch';
    if (strategy === 'Lexical' || strategy === 'NewestTag') warn(['git', 'commitSelectionStrategy'], `${strategy} is not supported: tags are selected by semverConstraint, commits by branch`);
    return {
      name,
      git: {
        repoURL: git.repoURL,
        ...(git.branch ? { branch: git.branch } : {}),
        ...(git.semverConstraint ? { semverConstraint: git.semverConstraint } : {}),
        ...(git.includePaths ? { includePaths: git.includePaths } : {}),
        ...(git.excludePaths ? { excludePaths: git.excludePaths } : {}),
      },
    };
  }
  if (chart) return { name, chart: { repoURL: chart.repoURL, ...(chart.name ? { name: chart.name } : {}), ...(chart.semverConstraint ? { semverConstraint: chart.semverConstraint } : {}) } };
  return undefined;
}

/** Applications a stage's steps update: named by argocd-update, or at a path a kustomize-set-image / yaml-update writes. */
function applicationsFromSteps(steps: readonly PromotionStep[], applications: readonly ArgoApplication[], stageName: string): string[] {
  const found = new Set<string>();
  const clones: Array<{ repoURL: string; path: string }> = [];
  for (const step of steps) {
    const config = step.config as Record<string, unknown> | undefined;
    if (step.uses === 'git-clone') {
      for (const checkout of (config?.checkout as Array<{ path?: string }> | undefined) ?? []) {
        if (typeof checkout.path === 'string') clones.push({ repoURL: String(config?.repoURL), path: normalisePath(withStageName(checkout.path, stageName)) });
      }
    }
    if (step.uses === 'argocd-update') {
      for (const app of (config?.apps as Array<{ name?: unknown }> | undefined) ?? []) {
        const name = typeof app.name === 'string' ? withStageName(app.name, stageName) : undefined;
        if (name && applications.some((application) => application.metadata.name === name)) found.add(name);
      }
    }
    if (step.uses === 'kustomize-set-image' || step.uses === 'yaml-update') {
      if (typeof config?.path !== 'string') continue;
      let written = normalisePath(withStageName(config.path, stageName));
      if (step.uses === 'yaml-update') written = written.includes('/') ? written.slice(0, written.lastIndexOf('/')) : '';
      for (const clone of clones) {
        if (clone.path !== '' && written !== clone.path && !written.startsWith(`${clone.path}/`)) continue;
        const inRepository = clone.path === '' ? written : written.slice(clone.path.length + 1);
        for (const name of applicationsAtPath(applications, clone.repoURL, inRepository)) found.add(name);
      }
    }
  }
  return [...found];
}

const sanitise = (name: string) => name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'source';
