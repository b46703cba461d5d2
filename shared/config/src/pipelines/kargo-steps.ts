/**
 * Kargo promotion steps → Tidewater promotion steps: `task:` references expanded from their PromotionTask, steps
 * Tidewater does not run left out with a warning, config fields it does not know warned and dropped, required
 * fields checked. Kargo's `${{ task.outputs.<as> }}` inside a task becomes `${{ outputs.<as> }}`.
 */
import type { PipelineFinding } from './check-pipeline.ts';
import type { KargoStep, KargoVars } from './kargo-schema.ts';
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
  (name: string, kind: 'PromotionTask' | 'ClusterPromotionTask'): { document: string; steps: KargoStep[]; vars?: KargoVars } | undefined;
}

export interface KargoStepScope {
  stageName: string;
  project: string;
  /** The promotion template's `vars`. */
  vars?: KargoVars;
}

/**
 * Steps with their templates' static parts resolved: `${{ ctx.stage }}`, `${{ ctx.project }}` and `${{ vars.<name> }}`
 * (template vars, overridden by a task's defaults, overridden by the inputs of the step running the task).
 */
export function translateKargoSteps(steps: readonly KargoStep[], origin: StepOrigin, findTask: KargoTaskLookup, scope: KargoStepScope): TranslatedSteps {
  const { stageName } = scope;
  const result: TranslatedSteps = { steps: [], errors: [], warnings: [], missingTasks: [] };
  const expand = (list: readonly KargoStep[], where: StepOrigin, inTask: boolean, depth: number, vars: ReadonlyMap<string, string | undefined>) => {
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
        if (step.config) warn(['config'], 'is ignored: a step running a task passes its inputs as vars');
        const taskVars = new Map(vars);
        for (const { name, value } of task.vars ?? []) taskVars.set(name, value);
        for (const { name, value } of step.vars ?? []) taskVars.set(name, value === undefined ? undefined : resolveStatic(value, vars, scope).text);
        expand(task.steps, { document: task.document, path: ['spec', 'steps'] }, true, depth + 1, taskVars);
        return;
      }
      if (step.vars) warn(['vars'], 'is ignored: only a step running a task takes vars');
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
      if (config) {
        const unresolved = new Set<string>();
        config = mapStrings(config, (text) => {
          const resolved = resolveStatic(text, vars, scope);
          for (const name of resolved.unresolved) unresolved.add(name);
          return resolved.text;
        }) as Record<string, unknown>;
        for (const name of unresolved) {
          result.errors.push({ document: where.document, path: [...path, 'config'], detail: `names vars.${name}, which has no value (define it in vars${inTask ? ' of the task or of the step running it' : ''})` });
        }
      }
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
  expand(steps, origin, false, 0, new Map((scope.vars ?? []).map(({ name, value }) => [name, value === undefined ? undefined : resolveStatic(value, new Map(), scope).text])));
  return result;
}

/** `${{ ctx.stage }}`, `${{ ctx.project }}` and `${{ vars.x }}` replaced; other templates are left for the promoter. */
function resolveStatic(text: string, vars: ReadonlyMap<string, string | undefined>, scope: KargoStepScope): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const resolved = text.replace(/\$\{\{\s*(ctx\.stage|ctx\.project|vars\.([A-Za-z_][A-Za-z0-9_]*))\s*\}\}/g, (whole, reference: string, name: string | undefined) => {
    if (reference === 'ctx.stage') return scope.stageName;
    if (reference === 'ctx.project') return scope.project;
    const value = name === undefined ? undefined : vars.get(name);
    if (value === undefined) {
      unresolved.push(name ?? reference);
      return whole;
    }
    return value;
  });
  return { text: resolved, unresolved };
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
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
