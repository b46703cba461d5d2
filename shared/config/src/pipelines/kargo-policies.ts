/** Kargo promotion policies (a Project's before v1, and ProjectConfig's) → the stages' `autoPromote`; seed 002's requirements. */
import { globMatch } from '../glob.ts';
import type { KargoProject, KargoProjectConfig, KargoPromotionTask, KargoStage, KargoWarehouse } from './kargo-schema.ts';
import type { PipelineStage } from './pipeline.ts';
import type { Read, Report } from './translation.ts';

/** The documents of one Kargo Project (namespace). */
export interface KargoProjectDocuments {
  project?: Read<KargoProject>;
  projectConfigs: Array<Read<KargoProjectConfig>>;
  warehouses: Array<Read<KargoWarehouse>>;
  stages: Array<Read<KargoStage>>;
  tasks: Array<Read<KargoPromotionTask>>;
}

/** Project (old) and ProjectConfig promotion policies → autoPromote; seed 002's `requirements` → approval and gates. */
export function applyPromotionPolicies(namespace: string, documents: KargoProjectDocuments, stages: PipelineStage[], error: Report, warning: Report): void {
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
