import { parse } from 'yaml';
import { globMatch } from '../glob.ts';
import type { Cluster } from '../schema/tidewater.ts';
import { renderFastTemplate } from './fast-template.ts';
import { renderGoTemplate } from './go-template.ts';

/** One generated parameter set: nested (as goTemplate sees it); `flattenParams` gives the fasttemplate view. */
export type Params = Record<string, unknown>;

/** A repository tree at one revision, as the git generator reads it (the renderer builds it from its mirror). */
export interface GitTree {
  /** Every directory of the tree, relative, without a trailing slash (`apps/web`). */
  directories: readonly string[];
  /** Every file of the tree, relative. */
  files: readonly string[];
  /** The contents of a file listed in `files`; the renderer pre-reads those a files generator matches. */
  read(path: string): string;
}

export interface GeneratorInputs {
  clusters: readonly Cluster[];
  /** The tree of a git generator's repository at its revision; undefined when the caller cannot read Git. */
  gitTree?: (repoURL: string, revision: string) => GitTree | undefined;
  goTemplate: boolean;
  missingKeyError: boolean;
}

/** A generator that cannot produce parameters: names the generator (`generators[1].matrix.generators[0]`) and why. */
export class GeneratorError extends Error {
  readonly field: string;
  constructor(field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'GeneratorError';
    this.field = field;
  }
}

/** Thrown when a git generator needs a tree the caller has not provided (config load outside the renderer). */
export class GitTreeUnavailable extends Error {
  readonly repoURL: string;
  constructor(repoURL: string) {
    super(`git generator for ${repoURL} is evaluated by the renderer`);
    this.name = 'GitTreeUnavailable';
    this.repoURL = repoURL;
  }
}

const knownGenerators = ['list', 'clusters', 'git', 'matrix', 'merge'] as const;
/** Generators of Argo CD that Tidewater does not evaluate; an ApplicationSet using one is refused by name. */
export const unsupportedGenerators = ['scmProvider', 'pullRequest', 'clusterDecisionResource', 'plugin'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Argo CD's nameNormalized: lowercase, characters outside [a-z0-9-.] become `-`. */
export const normalizeName = (name: string) => name.toLowerCase().replace(/[^a-z0-9.-]/g, '-');

/** `{a: {b: 'x'}}` → `{'a.b': 'x'}`; lists of scalars keep JSON form, as Argo CD's flattening does for files. */
export function flattenParams(params: Params, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(params)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isRecord(value)) flattenParams(value, name, into);
    else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (isRecord(item)) flattenParams(item, `${name}[${index}]`, into);
        else into[`${name}[${index}]`] = item === null ? '' : String(item);
      });
    } else into[name] = value === null || value === undefined ? '' : String(value);
  }
  return into;
}

/** Which keys of a generator are known, so the rest can be warned about at load. */
export const knownGeneratorFields: Record<string, readonly string[]> = {
  list: ['elements', 'elementsYaml'],
  clusters: ['selector', 'values'],
  git: ['repoURL', 'revision', 'directories', 'files', 'values', 'pathParamPrefix', 'requeueAfterSeconds'],
  matrix: ['generators'],
  merge: ['generators', 'mergeKeys'],
};

/** Static checks of one generator (recursively): errors refuse the ApplicationSet, warnings name ignored fields. */
export function checkGenerator(generator: Record<string, unknown>, field: string): { errors: GeneratorError[]; warnings: Array<{ field: string; detail: string }> } {
  const errors: GeneratorError[] = [];
  const warnings: Array<{ field: string; detail: string }> = [];
  const kinds = Object.keys(generator).filter((key) => key !== 'selector');
  if (kinds.length !== 1) {
    errors.push(new GeneratorError(field, `a generator has exactly one kind (${knownGenerators.join(', ')}); found ${kinds.join(', ') || 'none'}`));
    return { errors, warnings };
  }
  const kind = kinds[0];
  if ((unsupportedGenerators as readonly string[]).includes(kind)) {
    errors.push(new GeneratorError(`${field}.${kind}`, `the ${kind} generator is not supported by Tidewater (supported: ${knownGenerators.join(', ')})`));
    return { errors, warnings };
  }
  if (!(knownGenerators as readonly string[]).includes(kind)) {
    errors.push(new GeneratorError(`${field}.${kind}`, `unknown generator (supported: ${knownGenerators.join(', ')})`));
    return { errors, warnings };
  }
  const body = generator[kind];
  if (!isRecord(body)) {
    errors.push(new GeneratorError(`${field}.${kind}`, 'expected a mapping'));
    return { errors, warnings };
  }
  for (const key of Object.keys(body)) {
    if (key === 'template') warnings.push({ field: `${field}.${kind}.template`, detail: 'a per-generator template is not supported by Tidewater and is ignored' });
    else if (key === 'requeueAfterSeconds') warnings.push({ field: `${field}.${kind}.requeueAfterSeconds`, detail: 'ignored: Tidewater re-evaluates a git generator on each push to its repository' });
    else if (!knownGeneratorFields[kind].includes(key)) warnings.push({ field: `${field}.${kind}.${key}`, detail: 'field is not supported by Tidewater and is ignored' });
  }
  if (kind === 'git') {
    if (typeof body.repoURL !== 'string' || body.repoURL === '') errors.push(new GeneratorError(`${field}.git.repoURL`, 'is required'));
    const hasDirectories = Array.isArray(body.directories) && body.directories.length > 0;
    const hasFiles = Array.isArray(body.files) && body.files.length > 0;
    if (hasDirectories === hasFiles) errors.push(new GeneratorError(`${field}.git`, 'exactly one of directories or files is required'));
  }
  if (kind === 'matrix' || kind === 'merge') {
    const children = body.generators;
    if (!Array.isArray(children) || (kind === 'matrix' ? children.length !== 2 : children.length < 2)) {
      errors.push(new GeneratorError(`${field}.${kind}.generators`, kind === 'matrix' ? 'a matrix combines exactly 2 generators' : 'a merge needs at least 2 generators'));
    } else {
      children.forEach((child, index) => {
        const childField = `${field}.${kind}.generators[${index}]`;
        if (!isRecord(child)) errors.push(new GeneratorError(childField, 'expected a mapping'));
        else {
          const inner = checkGenerator(child, childField);
          errors.push(...inner.errors);
          warnings.push(...inner.warnings);
        }
      });
    }
    if (kind === 'merge' && (!Array.isArray(body.mergeKeys) || body.mergeKeys.length === 0)) errors.push(new GeneratorError(`${field}.merge.mergeKeys`, 'is required'));
  }
  return { errors, warnings };
}

/** Whether a generator (or one nested in it) is a git generator, which only the renderer can evaluate. */
export function usesGit(generator: Record<string, unknown>): boolean {
  if ('git' in generator) return true;
  for (const kind of ['matrix', 'merge']) {
    const body = generator[kind];
    if (isRecord(body) && Array.isArray(body.generators)) return body.generators.some((child) => isRecord(child) && usesGit(child));
  }
  return false;
}

/** The git generators' repositories (recursively), so the renderer knows which pushes re-evaluate a set. */
export function gitGeneratorSources(generator: Record<string, unknown>): Array<{ repoURL: string; revision: string; filePatterns: string[] }> {
  const sources: Array<{ repoURL: string; revision: string; filePatterns: string[] }> = [];
  if (isRecord(generator.git) && typeof generator.git.repoURL === 'string') {
    const files = Array.isArray(generator.git.files) ? generator.git.files : [];
    sources.push({
      repoURL: generator.git.repoURL,
      revision: typeof generator.git.revision === 'string' && generator.git.revision ? generator.git.revision : 'HEAD',
      filePatterns: files.flatMap((file) => (isRecord(file) && typeof file.path === 'string' ? [file.path] : [])),
    });
  }
  for (const kind of ['matrix', 'merge']) {
    const body = generator[kind];
    if (isRecord(body) && Array.isArray(body.generators)) for (const child of body.generators) if (isRecord(child)) sources.push(...gitGeneratorSources(child));
  }
  return sources;
}

/** Runs one generator (already checked by checkGenerator); throws GeneratorError / GitTreeUnavailable. */
export function runGenerator(generator: Record<string, unknown>, field: string, inputs: GeneratorInputs): Params[] {
  const kind = Object.keys(generator).find((key) => key !== 'selector') as string;
  const body = generator[kind] as Record<string, unknown>;
  let params: Params[];
  if (kind === 'list') params = listParams(body, field);
  else if (kind === 'clusters') params = clusterParams(body, field, inputs);
  else if (kind === 'git') params = gitParams(body, field, inputs);
  else if (kind === 'matrix') params = matrixParams(body, field, inputs);
  else params = mergeParams(body, field, inputs);
  if (isRecord(generator.selector)) {
    const selector = generator.selector;
    params = params.filter((set) => {
      const flat = flattenParams(set);
      return matchesSelector(selector, (key) => flat[key], `${field}.selector`);
    });
  }
  return params;
}

function listParams(body: Record<string, unknown>, field: string): Params[] {
  let elements: unknown = body.elements ?? [];
  if (typeof body.elementsYaml === 'string' && body.elementsYaml.trim() !== '') {
    try {
      elements = [...(Array.isArray(elements) ? elements : []), ...((parse(body.elementsYaml) as unknown[] | null) ?? [])];
    } catch {
      throw new GeneratorError(`${field}.list.elementsYaml`, 'is not valid YAML');
    }
  }
  if (!Array.isArray(elements)) throw new GeneratorError(`${field}.list.elements`, 'expected a list');
  return elements.map((element, index) => {
    if (!isRecord(element)) throw new GeneratorError(`${field}.list.elements[${index}]`, 'expected a mapping');
    return { ...element };
  });
}

/** Labels of a Cluster document as the clusters generator sees them: metadata.labels, then spec.labels. */
export function clusterLabels(cluster: Cluster): Record<string, string> {
  return { ...cluster.metadata.labels, ...cluster.spec.labels };
}

function clusterParams(body: Record<string, unknown>, field: string, inputs: GeneratorInputs): Params[] {
  const selector = isRecord(body.selector) ? body.selector : {};
  const result: Params[] = [];
  for (const cluster of inputs.clusters) {
    const labels = clusterLabels(cluster);
    if (!matchesSelector(selector, (key) => labels[key], `${field}.clusters.selector`)) continue;
    const params: Params = {
      name: cluster.metadata.name,
      nameNormalized: normalizeName(cluster.metadata.name),
      server: cluster.spec.server,
      project: '',
      metadata: { labels, annotations: { ...cluster.metadata.annotations } },
    };
    params.values = renderValues(body.values, params, `${field}.clusters.values`, inputs);
    result.push(params);
  }
  return result;
}

function renderValues(values: unknown, params: Params, field: string, inputs: GeneratorInputs): Record<string, string> {
  if (values === undefined || values === null) return {};
  if (!isRecord(values)) throw new GeneratorError(field, 'expected a mapping of strings');
  const rendered: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const text = typeof value === 'string' ? value : String(value);
    try {
      rendered[key] = inputs.goTemplate
        ? renderGoTemplate(text, params, { missingKeyError: inputs.missingKeyError })
        : renderFastTemplate(text, flattenParams(params));
    } catch (error) {
      throw new GeneratorError(`${field}.${key}`, (error as Error).message);
    }
  }
  return rendered;
}

/** Kubernetes label selector (matchLabels, matchExpressions In / NotIn / Exists / DoesNotExist). */
export function matchesSelector(selector: Record<string, unknown>, labelOf: (key: string) => string | undefined, field: string): boolean {
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) if (labelOf(key) !== String(value)) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return expressions.every((expression, index) => {
    if (!isRecord(expression) || typeof expression.key !== 'string') throw new GeneratorError(`${field}.matchExpressions[${index}]`, 'expected key and operator');
    const value = labelOf(expression.key);
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new GeneratorError(`${field}.matchExpressions[${index}].operator`, 'must be In, NotIn, Exists or DoesNotExist');
    }
  });
}

function pathParams(path: string, extra: Record<string, string> = {}): Record<string, unknown> {
  const segments = path === '' ? [] : path.split('/');
  const basename = segments.at(-1) ?? '';
  return { path, basename, basenameNormalized: normalizeName(basename), segments, ...extra };
}

function treeFor(body: Record<string, unknown>, field: string, inputs: GeneratorInputs): GitTree {
  const repoURL = body.repoURL as string;
  const revision = typeof body.revision === 'string' && body.revision ? body.revision : 'HEAD';
  if (!inputs.gitTree) throw new GitTreeUnavailable(repoURL);
  const tree = inputs.gitTree(repoURL, revision);
  if (!tree) throw new GeneratorError(`${field}.git`, `repository ${repoURL} at ${revision} could not be read`);
  return tree;
}

function withPrefix(body: Record<string, unknown>, params: Params): Params {
  const prefix = typeof body.pathParamPrefix === 'string' && body.pathParamPrefix ? body.pathParamPrefix : '';
  return prefix ? { ...params, [prefix]: { path: params.path } } : params;
}

function gitParams(body: Record<string, unknown>, field: string, inputs: GeneratorInputs): Params[] {
  const tree = treeFor(body, field, inputs);
  const result: Params[] = [];
  if (Array.isArray(body.directories)) {
    const patterns = body.directories.filter(isRecord);
    const include = patterns.filter((pattern) => pattern.exclude !== true).map((pattern) => String(pattern.path));
    const exclude = patterns.filter((pattern) => pattern.exclude === true).map((pattern) => String(pattern.path));
    for (const directory of tree.directories) {
      if (!include.some((pattern) => globMatch(pattern, directory, { separators: '/', negation: false }))) continue;
      if (exclude.some((pattern) => globMatch(pattern, directory, { separators: '/', negation: false }))) continue;
      const params: Params = { path: pathParams(directory) };
      params.values = renderValues(body.values, params, `${field}.git.values`, inputs);
      result.push(withPrefix(body, params));
    }
    return result;
  }
  const patterns = (body.files as unknown[]).filter(isRecord);
  const include = patterns.filter((pattern) => pattern.exclude !== true).map((pattern) => String(pattern.path));
  const exclude = patterns.filter((pattern) => pattern.exclude === true).map((pattern) => String(pattern.path));
  for (const file of tree.files) {
    if (!include.some((pattern) => globMatch(pattern, file, { separators: '/', negation: false }))) continue;
    if (exclude.some((pattern) => globMatch(pattern, file, { separators: '/', negation: false }))) continue;
    let content: unknown;
    try {
      content = parse(tree.read(file));
    } catch {
      throw new GeneratorError(`${field}.git.files`, `${file} is not valid JSON or YAML`);
    }
    const documents = Array.isArray(content) ? content : [content];
    const directory = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const filename = file.slice(file.lastIndexOf('/') + 1);
    for (const document of documents) {
      if (!isRecord(document)) throw new GeneratorError(`${field}.git.files`, `${file} must hold a mapping (or a list of mappings)`);
      const params: Params = { ...document, path: pathParams(directory, { filename, filenameNormalized: normalizeName(filename) }) };
      params.values = renderValues(body.values, params, `${field}.git.values`, inputs);
      result.push(withPrefix(body, params));
    }
  }
  return result;
}

/** Interpolates the strings of a generator definition with parameters (matrix: the second child sees the first's). */
function interpolate(value: unknown, params: Params, inputs: GeneratorInputs): unknown {
  if (typeof value === 'string') {
    return inputs.goTemplate ? renderGoTemplate(value, params, { missingKeyError: inputs.missingKeyError }) : renderFastTemplate(value, flattenParams(params));
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, params, inputs));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, interpolate(inner, params, inputs)]));
  return value;
}

function deepMerge(base: Params, overlay: Params): Params {
  const merged: Params = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    merged[key] = isRecord(value) && isRecord(merged[key]) ? deepMerge(merged[key] as Params, value) : value;
  }
  return merged;
}

function matrixParams(body: Record<string, unknown>, field: string, inputs: GeneratorInputs): Params[] {
  const [first, second] = body.generators as Array<Record<string, unknown>>;
  const result: Params[] = [];
  for (const left of runGenerator(first, `${field}.matrix.generators[0]`, inputs)) {
    let child: Record<string, unknown>;
    try {
      child = interpolate(second, left, inputs) as Record<string, unknown>;
    } catch (error) {
      throw new GeneratorError(`${field}.matrix.generators[1]`, (error as Error).message);
    }
    for (const right of runGenerator(child, `${field}.matrix.generators[1]`, inputs)) result.push(deepMerge(left, right));
  }
  return result;
}

function mergeParams(body: Record<string, unknown>, field: string, inputs: GeneratorInputs): Params[] {
  const generators = body.generators as Array<Record<string, unknown>>;
  const mergeKeys = (body.mergeKeys as unknown[]).map(String);
  const keyOf = (params: Params) => {
    const flat = flattenParams(params);
    return JSON.stringify(mergeKeys.map((key) => flat[key] ?? null));
  };
  const base = runGenerator(generators[0], `${field}.merge.generators[0]`, inputs);
  const indexByKey = new Map<string, number>();
  base.forEach((params, index) => {
    const key = keyOf(params);
    if (!indexByKey.has(key)) indexByKey.set(key, index);
  });
  for (let childIndex = 1; childIndex < generators.length; childIndex++) {
    for (const params of runGenerator(generators[childIndex], `${field}.merge.generators[${childIndex}]`, inputs)) {
      const target = indexByKey.get(keyOf(params));
      if (target !== undefined) base[target] = deepMerge(base[target], params);
    }
  }
  return base;
}
