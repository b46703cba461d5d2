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
import { ObjectName } from '../schema/object-meta.ts';
import { applyPromotionPolicies, type KargoProjectDocuments } from './kargo-policies.ts';
import { kargoApiVersion, kargoKinds, KargoProject, KargoProjectConfig, KargoPromotionTask, KargoStage, KargoWarehouse, type KargoStep } from './kargo-schema.ts';
import { subscriptionSource } from './kargo-sources.ts';
import { translateKargoStage } from './kargo-stage.ts';
import type { FreightSource, PipelineStage } from './pipeline.ts';
import { readForeign } from './read-foreign.ts';
import { locationKey, sanitiseName, uniqueFindings, type ForeignDocument, type Read, type Translation } from './translation.ts';

export const isKargoDocument = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as { apiVersion?: unknown }).apiVersion === kargoApiVersion &&
  kargoKinds.includes(String((value as { kind?: unknown }).kind));

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
    locations.set(locationKey(document.location), document.location);
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
    // The namespace names the Project and so the Pipeline (job ids, Redis keys): a Kubernetes name.
    const namespaceCheck = ObjectName.safeParse(namespace);
    if (!namespaceCheck.success) {
      result.errors.push({ location: document.location, path: ['metadata', 'namespace'], detail: namespaceCheck.error.issues[0]?.message ?? 'is not a valid name' });
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
      const sourceName = warehouse.spec.subscriptions.length === 1 ? name : `${name}-${sanitiseName(subscription.name ?? String(index), 'source')}`;
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
    return task ? { document: locationKey(task.location), steps: task.value.spec.steps as KargoStep[], vars: task.value.spec.vars } : undefined;
  };

  const stages: PipelineStage[] = [];
  const stageLocations: ConfigLocation[] = [];
  const context = { namespace, applications, warehouseSources, stageNames, findTask, locations, sources, blockers, error, warning };
  for (const { value: stage, location } of documents.stages) {
    stages.push(translateKargoStage(stage, location, context));
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
