/**
 * Checks of one pipeline as a whole (references between its parts, and to the configuration's Applications), for
 * native Pipeline documents and translated ones alike. Paths are relative to the Pipeline document (`spec.stages[1]...`).
 */
import { expressionContextRoots, parseExpression } from './expression.ts';
import type { Gate, PipelineSpec } from './pipeline.ts';
import { checkStepConfig } from './step-config.ts';

export interface PipelineFinding {
  path: Array<string | number>;
  detail: string;
}

export interface PipelineCheck {
  errors: PipelineFinding[];
  warnings: PipelineFinding[];
}

export interface PipelineCheckOptions {
  /** Names of the configuration's Applications; undefined skips the check (one file parsed alone). */
  applications?: ReadonlySet<string>;
}

const sourceKinds = ['imagePolicy', 'image', 'git', 'chart'] as const;

export function checkPipeline(spec: PipelineSpec, options: PipelineCheckOptions = {}): PipelineCheck {
  const result: PipelineCheck = { errors: [], warnings: [] };
  const error = (path: Array<string | number>, detail: string) => result.errors.push({ path, detail });
  const warning = (path: Array<string | number>, detail: string) => result.warnings.push({ path, detail });

  const sourceNames = new Set<string>();
  spec.sources.forEach((source, index) => {
    if (sourceNames.has(source.name)) error(['spec', 'sources', index, 'name'], `duplicate source name ${source.name}`);
    sourceNames.add(source.name);
    const kinds = sourceKinds.filter((kind) => source[kind] !== undefined);
    if (kinds.length !== 1) error(['spec', 'sources', index], `exactly one of ${sourceKinds.join(', ')} is required${kinds.length > 1 ? ` (found ${kinds.join(' and ')})` : ''}`);
  });

  const stageIndex = new Map<string, number>();
  spec.stages.forEach((stage, index) => {
    if (stageIndex.has(stage.name)) error(['spec', 'stages', index, 'name'], `duplicate stage name ${stage.name}`);
    else stageIndex.set(stage.name, index);
  });

  spec.stages.forEach((stage, index) => {
    const at = (...path: Array<string | number>) => ['spec', 'stages', index, ...path];
    const fromSources = stage.freightFrom.sources ?? [];
    const fromStages = stage.freightFrom.stages ?? [];
    if (fromSources.length === 0 && fromStages.length === 0) {
      error(at('freightFrom'), `stage ${stage.name} has no source: list freightFrom.sources or freightFrom.stages`);
    }
    fromSources.forEach((name, position) => {
      if (!sourceNames.has(name)) error(at('freightFrom', 'sources', position), `unknown source ${name} (sources: ${[...sourceNames].join(', ')})`);
    });
    fromStages.forEach((name, position) => {
      if (name === stage.name) error(at('freightFrom', 'stages', position), `stage ${stage.name} takes freight from itself`);
      else if (!stageIndex.has(name)) error(at('freightFrom', 'stages', position), `unknown stage ${name}`);
    });
    if (options.applications) {
      stage.applications.forEach((name, position) => {
        if (!options.applications?.has(name)) error(at('applications', position), `Application ${name} is not defined`);
      });
    }
    const roots = new Set([...expressionContextRoots, ...stageIndex.keys()]);
    const checkGates = (field: 'gates' | 'verification', gates: readonly Gate[] | undefined) => {
      gates?.forEach((gate, position) => {
        if (gate.type === 'expression') {
          const parsed = parseExpression(gate.expression);
          if (!parsed.ok) error(at(field, position, 'expression'), parsed.error);
          else {
            const unknown = parsed.expression.roots.filter((root) => !roots.has(root));
            if (unknown.length > 0) {
              warning(at(field, position, 'expression'), `names ${unknown.join(', ')}, which the promoter does not provide (it provides ${[...roots].join(', ')}): the gate fails until the expression is changed`);
            }
          }
        }
        if (field === 'gates' && fromStages.length === 0 && (gate.type === 'soak' || gate.type === 'healthy')) {
          warning(at(field, position), `a ${gate.type} gate is judged in the upstream stages, and stage ${stage.name} has none (it takes freight from sources): the gate always passes`);
        }
      });
    };
    checkGates('gates', stage.gates);
    checkGates('verification', stage.verification);
    stage.steps?.forEach((step, position) => {
      for (const problem of checkStepConfig(step.uses, step.config)) error(at('steps', position, 'config', ...problem.path), problem.detail);
    });
  });

  for (const cycle of stageCycles(spec)) {
    const first = stageIndex.get(cycle[0]) ?? 0;
    const position = (spec.stages[first].freightFrom.stages ?? []).indexOf(cycle[1]);
    error(['spec', 'stages', first, 'freightFrom', 'stages', position], `cycle between stages: ${[...cycle, cycle[0]].join(' → ')}`);
  }
  return result;
}

/** Each cycle of freightFrom.stages once, as the stage names along it (self-references are reported separately). */
function stageCycles(spec: PipelineSpec): string[][] {
  const upstream = new Map(spec.stages.map((stage) => [stage.name, (stage.freightFrom.stages ?? []).filter((name) => name !== stage.name)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const path: string[] = [];
  const visit = (name: string) => {
    state.set(name, 'visiting');
    path.push(name);
    for (const next of upstream.get(name) ?? []) {
      if (!upstream.has(next)) continue;
      const seen = state.get(next);
      if (seen === 'visiting') cycles.push(path.slice(path.indexOf(next)));
      else if (seen === undefined) visit(next);
    }
    path.pop();
    state.set(name, 'done');
  };
  for (const stage of spec.stages) if (!state.has(stage.name)) visit(stage.name);
  return cycles;
}
