/**
 * One Kargo Stage → one pipeline stage: its freight (requestedFreight, or the old subscriptions), its steps
 * (promotionTemplate, or the old promotionMechanisms) and its Applications. References to documents missing from the
 * configuration are warned and added to `context.blockers` (the Project is then not run).
 */
import type { ConfigLocation } from '../errors.ts';
import type { ArgoApplication } from '../schema/application.ts';
import { applicationsAtPath, applicationsAuthorizedFor, normalisePath } from './application-match.ts';
import type { KargoStage } from './kargo-schema.ts';
import { subscriptionSource } from './kargo-sources.ts';
import { translateKargoSteps, withStageName, type KargoTaskLookup } from './kargo-steps.ts';
import type { FreightSource, Gate, PipelineStage, PromotionStep } from './pipeline.ts';
import { locationKey, type Report } from './translation.ts';

export interface KargoStageContext {
  namespace: string;
  applications: readonly ArgoApplication[];
  /** Warehouse name → the names of its sources. */
  warehouseSources: ReadonlyMap<string, readonly string[]>;
  stageNames: ReadonlySet<string>;
  findTask: KargoTaskLookup;
  /** Document key (see locationKey) → location, for findings in PromotionTasks. */
  locations: ReadonlyMap<string, ConfigLocation>;
  /** The pipeline's sources: an old Stage's own subscriptions are added here. */
  sources: FreightSource[];
  /** Why the Project cannot run (each already warned where it is written). */
  blockers: string[];
  error: Report;
  warning: Report;
}

export function translateKargoStage(stage: KargoStage, location: ConfigLocation, context: KargoStageContext): PipelineStage {
  const { namespace, applications, warehouseSources, stageNames, findTask, locations, sources, blockers, error, warning } = context;
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
      // subscriptionSource names fields as in a Warehouse (`git.commitSelectionStrategy`); here the kind is the list's.
      const source = subscriptionSource(sourceName, subscription, (path, detail) => warning(location, ['spec', 'subscriptions', 'repos', ...field, ...path.slice(1)], detail));
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
    const translated = translateKargoSteps(
      spec.promotionTemplate.spec.steps, { document: locationKey(location), path: ['spec', 'promotionTemplate', 'spec', 'steps'] }, findTask,
      { stageName: name, project: namespace, vars: spec.promotionTemplate.spec.vars },
    );
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
  return {
    name,
    applications: stageApplications,
    freightFrom: { ...(freightSources.size > 0 ? { sources: [...freightSources] } : {}), ...(upstream.size > 0 ? { stages: [...upstream] } : {}) },
    ...(gates.length > 0 ? { gates } : {}),
    ...(steps.length > 0 ? { steps } : {}),
  };
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
