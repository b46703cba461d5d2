import { parse } from 'yaml';
import { parseRawDocument } from '../parse-text.ts';
import type { ArgoApplication } from '../schema/application.ts';
import { renderFastTemplate } from './fast-template.ts';
import { flattenParams, GeneratorError, GitTreeUnavailable, runGenerator, type GeneratorInputs, type GitTree, type Params } from './generators.ts';
import { renderGoTemplate } from './go-template.ts';
import { applicationSetAnnotation, type ApplicationSet } from './schema.ts';
import type { Cluster } from '../schema/tidewater.ts';

export interface EvaluationInputs {
  clusters: readonly Cluster[];
  gitTree?: (repoURL: string, revision: string) => GitTree | undefined;
}

/** One Application built from one parameter set. */
export interface GeneratedApplication {
  application: ArgoApplication;
  /** 0-based index of the parameter set that produced it. */
  element: number;
}

export type EvaluationResult =
  | { ok: true; applications: GeneratedApplication[]; warnings: string[] }
  /** The ApplicationSet could not be evaluated: nothing generated; the caller keeps the previous set. */
  | { ok: false; error: string; needsGit?: boolean };

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The fasttemplate view of a parameter set: flattened, plus Argo CD's `path` and `path[n]` shorthands. */
export function fastTemplateParams(params: Params): Record<string, string> {
  const flat = flattenParams(params);
  for (const [key, value] of Object.entries(params)) {
    if (!isRecord(value) || typeof value.path !== 'string' || !Array.isArray(value.segments)) continue;
    flat[key] = value.path;
    value.segments.forEach((segment, index) => {
      flat[`${key}[${index}]`] = String(segment);
    });
  }
  return flat;
}

function renderStrings(value: unknown, render: (text: string) => string): unknown {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((item) => renderStrings(item, render));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [render(key), renderStrings(inner, render)]));
  return value;
}

/** Maps merge key by key, anything else (lists included) replaces: the patch semantics of an Application's fields. */
function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isRecord(base) || !isRecord(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) merged[key] = value === null ? undefined : mergePatch(merged[key], value);
  return merged;
}

/**
 * Evaluates an ApplicationSet into Applications: runs the generators, renders the template for each
 * parameter set (fasttemplate or goTemplate), applies templatePatch and validates each Application as the
 * loader validates a written one. Any failing element fails the whole evaluation (nothing generated), with
 * a message naming the element and the problem, so the caller keeps the previous set.
 */
export function evaluateApplicationSet(applicationSet: ApplicationSet, inputs: EvaluationInputs): EvaluationResult {
  const { spec } = applicationSet;
  const goTemplate = spec.goTemplate === true;
  const missingKeyError = (spec.goTemplateOptions ?? []).includes('missingkey=error');
  const generatorInputs: GeneratorInputs = { clusters: inputs.clusters, gitTree: inputs.gitTree, goTemplate, missingKeyError };
  const paramSets: Params[] = [];
  try {
    spec.generators.forEach((generator, index) => paramSets.push(...runGenerator(generator, `spec.generators[${index}]`, generatorInputs)));
  } catch (error) {
    if (error instanceof GitTreeUnavailable) return { ok: false, error: error.message, needsGit: true };
    if (error instanceof GeneratorError) return { ok: false, error: error.message };
    return { ok: false, error: `spec.generators: ${(error as Error).message}` };
  }
  const applications: GeneratedApplication[] = [];
  const warnings = new Set<string>();
  const names = new Map<string, number>();
  for (const [element, params] of paramSets.entries()) {
    const describe = `element ${element}${typeof params.name === 'string' ? ` (name ${params.name})` : ''}`;
    let rendered: Record<string, unknown>;
    try {
      const flat = goTemplate ? {} : fastTemplateParams(params);
      const render = goTemplate
        ? (text: string) => renderGoTemplate(text, params, { missingKeyError })
        : (text: string) => renderFastTemplate(text, flat);
      rendered = renderStrings(spec.template, render) as Record<string, unknown>;
      if (spec.templatePatch) {
        const patchText = render(spec.templatePatch);
        let patch: unknown;
        try {
          patch = parse(patchText);
        } catch {
          throw new Error('spec.templatePatch does not render to valid YAML');
        }
        if (patch !== null && patch !== undefined) rendered = mergePatch(rendered, patch) as Record<string, unknown>;
      }
    } catch (error) {
      return { ok: false, error: `${describe}: ${(error as Error).message}` };
    }
    const document = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { ...(rendered.metadata as object), annotations: { ...(rendered.metadata as { annotations?: object }).annotations, [applicationSetAnnotation]: applicationSet.metadata.name } },
      spec: rendered.spec,
    };
    const parsed = parseRawDocument(JSON.parse(JSON.stringify(document)) as unknown, `ApplicationSet ${applicationSet.metadata.name} ${describe}`);
    if (parsed.errors.length > 0 || parsed.documents[0]?.kind !== 'Application') {
      const detail = parsed.errors.map((error) => `${error.field ? `${error.field}: ` : ''}${error.detail}`).join('; ');
      return { ok: false, error: `${describe}: the generated Application is invalid: ${detail}` };
    }
    for (const warning of parsed.warnings) warnings.add(`template ${warning.field}: ${warning.message.slice(warning.message.lastIndexOf(': ') + 2)}`);
    const application = parsed.documents[0].value;
    const earlier = names.get(application.metadata.name);
    if (earlier !== undefined) {
      return { ok: false, error: `${describe}: generates Application ${application.metadata.name} again (also element ${earlier})` };
    }
    names.set(application.metadata.name, element);
    applications.push({ application, element });
  }
  return { ok: true, applications, warnings: [...warnings] };
}
