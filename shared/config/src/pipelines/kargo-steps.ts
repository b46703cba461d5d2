/**
 * Kargo promotion steps → Tidewater promotion steps: `task:` references expanded from their PromotionTask, steps
 * Tidewater does not run left out with a warning, config fields it does not know warned and dropped, required
 * fields checked. Kargo's `${{ task.outputs.<as> }}` inside a task becomes `${{ outputs.<as> }}`.
 */
import type { PipelineFinding } from './check-pipeline.ts';
import type { KargoStep } from './kargo-schema.ts';
import { PromotionStepName, type PromotionStep } from './pipeline.ts';
import { checkStepConfig } from './step-config.ts';

export interface StepOrigin {
  /** The document the step is written in (a Stage or a PromotionTask), as a key of the caller's choosing. */
  document: string;
  /** Path of the step in that document, e.g. `spec.promotionTemplate.spec.steps[0]`. */
  path: Array<string | number>;
}

export interface TranslatedSteps {
  steps: PromotionStep[];
  errors: Array<PipelineFinding & { document: string }>;
  warnings: Array<PipelineFinding & { document: string }>;
  /** Task names referenced but not defined (the stage cannot run). */
  missingTasks: string[];
}

export interface KargoTaskLookup {
  (name: string, kind: 'PromotionTask' | 'ClusterPromotionTask'): { document: string; steps: KargoStep[] } | undefined;
}

export function translateKargoSteps(steps: readonly KargoStep[], origin: StepOrigin, findTask: KargoTaskLookup, stageName: string): TranslatedSteps {
  const result: TranslatedSteps = { steps: [], errors: [], warnings: [], missingTasks: [] };
  const expand = (list: readonly KargoStep[], where: StepOrigin, inTask: boolean, depth: number) => {
    list.forEach((step, index) => {
      const path = [...where.path, index];
      const warn = (field: Array<string | number>, detail: string) => result.warnings.push({ document: where.document, path: [...path, ...field], detail });
      if (step.task) {
        if (step.uses) warn(['uses'], 'is ignored: the step runs the task it names');
        const kind = step.task.kind ?? 'PromotionTask';
        const task = depth < 4 ? findTask(step.task.name, kind) : undefined;
        if (!task) {
          result.missingTasks.push(step.task.name);
          warn(['task', 'name'], `${kind} ${step.task.name} is not defined in this configuration: stage ${stageName} cannot be promoted`);
          return;
        }
        if (step.config) warn(['config'], 'task inputs are not supported by Tidewater and are ignored');
        expand(task.steps, { document: task.document, path: ['spec', 'steps'] }, true, depth + 1);
        return;
      }
      if (!step.uses) {
        result.errors.push({ document: where.document, path: [...path, 'uses'], detail: 'is required (or task)' });
        return;
      }
      const uses = PromotionStepName.safeParse(step.uses);
      if (!uses.success) {
        warn(['uses'], `step ${step.uses} is not supported by Tidewater and is left out of the promotion (supported: ${PromotionStepName.options.filter((name) => name !== 'branch-promote').join(', ')})`);
        return;
      }
      let config = step.config ? structuredClone(step.config) : undefined;
      if (inTask && config) config = rewriteTaskOutputs(config) as Record<string, unknown>;
      for (const problem of checkStepConfig(uses.data, config)) {
        if (problem.detail === 'unknown field') {
          warn(['config', ...problem.path], 'Kargo step field is not supported by Tidewater and is ignored');
          deletePath(config, problem.path);
        } else {
          result.errors.push({ document: where.document, path: [...path, 'config', ...problem.path], detail: problem.detail });
        }
      }
      result.steps.push({ uses: uses.data, ...(step.as ? { as: step.as } : {}), ...(config ? { config } : {}) });
    });
  };
  expand(steps, origin, false, 0);
  return result;
}

/** Kargo's `${{ ctx.stage }}` with the stage's name (for finding Applications from step configs). */
export function withStageName(value: string, stageName: string): string {
  return value.replace(/\$\{\{\s*ctx\.stage\s*\}\}/g, stageName);
}

function rewriteTaskOutputs(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\btask\.outputs\./g, 'outputs.');
  if (Array.isArray(value)) return value.map(rewriteTaskOutputs);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewriteTaskOutputs(item)]));
  return value;
}

function deletePath(root: unknown, path: ReadonlyArray<string | number>): void {
  let node = root as Record<string | number, unknown> | undefined;
  for (const segment of path.slice(0, -1)) node = node?.[segment] as Record<string | number, unknown> | undefined;
  if (node && typeof node === 'object') delete node[path[path.length - 1]];
}
