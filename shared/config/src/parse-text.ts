import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, configWarning, formatFieldPath, type ConfigLocation, type ConfigWarning } from './errors.ts';
import { AppProject } from './schema/app-project.ts';
import { ArgoApplication } from './schema/application.ts';
import { findSecretRefs, inlineSecretMessage, looksLikeSecretField } from './schema/secret-ref.ts';
import { describeSecretRef, secretRefScopeProblem, secretScopeFromEnv, type SecretScope } from './secrets.ts';
import { Cluster, laterTidewaterKinds, Repository, tidewaterApiVersion } from './schema/tidewater.ts';
import { inspectAgainstSchema } from './schema/unknown-fields.ts';
import { checkSyncOptions, parseSyncOptions } from './sync-options.ts';
import { inactiveApplicationFields, inactiveProjectFields } from './accepted-not-acted-on.ts';
import { ApplicationSet } from './applicationset/schema.ts';
import { checkApplicationSet } from './applicationset/check.ts';
import { FluxGitRepository, fluxGitRepositoryApiVersion, FluxKustomization, fluxKustomizationApiVersion } from './flux/schema.ts';
import { PipelineDocument } from './pipelines/pipeline.ts';

/** One validated document and where it came from. */
export type LoadedDocument =
  | { kind: 'Application'; value: ArgoApplication; location: ConfigLocation }
  | { kind: 'AppProject'; value: AppProject; location: ConfigLocation }
  | { kind: 'Repository'; value: Repository; location: ConfigLocation }
  | { kind: 'Cluster'; value: Cluster; location: ConfigLocation }
  | { kind: 'ApplicationSet'; value: ApplicationSet; location: ConfigLocation }
  | { kind: 'FluxGitRepository'; value: FluxGitRepository; location: ConfigLocation }
  | { kind: 'FluxKustomization'; value: FluxKustomization; location: ConfigLocation }
  | { kind: 'Pipeline'; value: PipelineDocument; location: ConfigLocation }
  | { kind: 'other'; value: unknown; location: ConfigLocation };

export interface FileParseResult {
  documents: LoadedDocument[];
  warnings: ConfigWarning[];
  errors: ConfigError[];
}

type Path = Array<string | number>;

const argoApiVersion = 'argoproj.io/v1alpha1';

export interface ParseOptions {
  /** What secret references may name (default: this process's TIDEWATER_SECRET_ENV_PREFIX / TIDEWATER_SECRET_DIRS). */
  secretScope?: SecretScope;
}

/** Parses and validates every document of one file; cross-document checks are left to the caller. */
export function parseConfigFile(text: string, file: string, options: ParseOptions = {}): FileParseResult {
  const secretScope = options.secretScope ?? secretScopeFromEnv();
  const result: FileParseResult = { documents: [], warnings: [], errors: [] };
  const lineCounter = new LineCounter();
  const yamlDocuments = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(yamlDocuments)) return result;
  yamlDocuments.forEach((yamlDocument, documentIndex) => {
    const lineOf = (path: Path) => lineOfPath(yamlDocument, lineCounter, path);
    if (yamlDocument.errors.length > 0) {
      for (const error of yamlDocument.errors) {
        const line = lineCounter.linePos(error.pos[0]).line;
        // yaml's messages can quote the offending source text (possibly a secret); keep only the description.
        const description = error.message.split(': ')[0];
        result.errors.push(new ConfigError({ file, documentIndex, field: '', line }, `invalid YAML at line ${line}: ${description}`));
      }
      return;
    }
    const raw: unknown = yamlDocument.toJS({ maxAliasCount: 100 });
    if (raw === null || raw === undefined) return; // empty document, e.g. after a trailing `---`
    parseDocument(raw, { file, documentIndex }, lineOf, result, secretScope);
  });
  return result;
}

/** Validates one already-parsed document (e.g. an Application an ApplicationSet generated); no line numbers. */
export function parseRawDocument(raw: unknown, file: string, options: ParseOptions = {}): FileParseResult {
  const result: FileParseResult = { documents: [], warnings: [], errors: [] };
  parseDocument(raw, { file, documentIndex: 0 }, () => undefined, result, options.secretScope ?? secretScopeFromEnv());
  return result;
}

function parseDocument(
  raw: unknown, position: { file: string; documentIndex: number }, lineOf: (path: Path) => number | undefined, result: FileParseResult, secretScope: SecretScope,
): void {
  const at = (field: Path, documentName?: string): ConfigLocation => ({
    ...position,
    documentName,
    field: formatFieldPath(field),
    line: lineOf(field),
  });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    result.errors.push(new ConfigError(at([]), 'not a Kubernetes-style document: expected a mapping with apiVersion and kind'));
    return;
  }
  const document = raw as Record<string, unknown>;
  const metadata = document.metadata as { name?: unknown } | null | undefined;
  const documentName = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const { apiVersion, kind } = document;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    const missing = typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind';
    result.errors.push(new ConfigError(at([missing], documentName), 'is required: configuration documents are Kubernetes-style (apiVersion and kind)'));
    return;
  }
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  // Secret references of any kind may only name this process's secret variables and directories.
  for (const { path, ref } of findSecretRefs(document)) {
    const problem = secretRefScopeProblem(ref, secretScope);
    if (problem) result.errors.push(new ConfigError(at(path, documentName), `${describeSecretRef(ref)} ${problem}`));
  }
  const keepOther = (warning?: string) => {
    result.documents.push({ kind: 'other', value: raw, location: at([], documentName) });
    if (warning) result.warnings.push(configWarning(at([], documentName), warning));
  };
  const validate = (schema: z.ZodType, warnUnknown: boolean) =>
    validateDocument(schema, document, warnUnknown, (field) => at(field, documentName), result);

  if (group === 'argoproj.io' && (kind === 'Application' || kind === 'AppProject')) {
    if (apiVersion !== argoApiVersion) {
      result.errors.push(new ConfigError(at(['apiVersion'], documentName), `${kind} is supported as ${argoApiVersion}`));
      return;
    }
    const value = validate(kind === 'Application' ? ArgoApplication : AppProject, true);
    if (value === undefined) return;
    if (kind === 'Application') {
      const application = value as ArgoApplication;
      if (!checkApplicationSyncOptions(application, (field) => at(field, documentName), result)) return;
      for (const inactive of inactiveApplicationFields(application)) result.warnings.push(configWarning(at(inactive.field, documentName), inactive.detail));
      result.documents.push({ kind, value: application, location: at([], documentName) });
    } else {
      for (const inactive of inactiveProjectFields(value as AppProject)) result.warnings.push(configWarning(at(inactive.field, documentName), inactive.detail));
      result.documents.push({ kind, value: value as AppProject, location: at([], documentName) });
    }
    return;
  }
  if (group === 'argoproj.io' && kind === 'ApplicationSet') {
    if (apiVersion !== argoApiVersion) {
      result.errors.push(new ConfigError(at(['apiVersion'], documentName), `${kind} is supported as ${argoApiVersion}`));
      return;
    }
    const value = validate(ApplicationSet, true) as ApplicationSet | undefined;
    if (value === undefined) return;
    const checked = checkApplicationSet(value);
    for (const warning of checked.warnings) result.warnings.push(configWarning(at(warning.path, documentName), warning.detail));
    for (const error of checked.errors) result.errors.push(new ConfigError(at(error.path, documentName), error.detail));
    if (checked.errors.length === 0) result.documents.push({ kind, value, location: at([], documentName) });
    return;
  }
  if ((group === 'source.toolkit.fluxcd.io' && kind === 'GitRepository') || (group === 'kustomize.toolkit.fluxcd.io' && kind === 'Kustomization')) {
    const wanted = kind === 'GitRepository' ? fluxGitRepositoryApiVersion : fluxKustomizationApiVersion;
    if (apiVersion !== wanted) {
      result.errors.push(new ConfigError(at(['apiVersion'], documentName), `Flux ${kind} is supported as ${wanted}`));
      return;
    }
    if (kind === 'GitRepository') {
      const value = validate(FluxGitRepository, true) as FluxGitRepository | undefined;
      if (value) result.documents.push({ kind: 'FluxGitRepository', value, location: at([], documentName) });
    } else {
      const value = validate(FluxKustomization, true) as FluxKustomization | undefined;
      if (value) result.documents.push({ kind: 'FluxKustomization', value, location: at([], documentName) });
    }
    return;
  }
  if (group === 'tidewater.dev') {
    if (apiVersion !== tidewaterApiVersion) {
      result.errors.push(new ConfigError(at(['apiVersion'], documentName), `Tidewater kinds are served as ${tidewaterApiVersion}`));
      return;
    }
    if (kind === 'Repository' || kind === 'Cluster') {
      const value = validate(kind === 'Repository' ? Repository : Cluster, false);
      if (value === undefined) return;
      if (kind === 'Repository') result.documents.push({ kind, value: value as Repository, location: at([], documentName) });
      else result.documents.push({ kind, value: value as Cluster, location: at([], documentName) });
      return;
    }
    if (kind === 'Pipeline') {
      const value = validate(PipelineDocument, false) as PipelineDocument | undefined;
      if (value) result.documents.push({ kind, value, location: at([], documentName) });
      return;
    }
    if (laterTidewaterKinds.includes(kind)) return keepOther();
    const known = ['Repository', 'Cluster', 'Pipeline', ...laterTidewaterKinds].join(', ');
    result.errors.push(new ConfigError(at(['kind'], documentName), `unknown Tidewater kind ${kind} (known: ${known})`));
    return;
  }
  if (apiVersion === 'v1' && kind === 'Secret') {
    // Declarative Argo CD setups keep credentials in Secrets; Tidewater refuses to hold their values.
    result.errors.push(new ConfigError(at(['kind'], documentName), `Secret documents are not accepted: ${inlineSecretMessage}`));
    return;
  }
  // Argo CD's RBAC and accounts settings: read by the operator API (services/api), which reports its own findings.
  if (apiVersion === 'v1' && kind === 'ConfigMap' && (documentName === 'argocd-rbac-cm' || documentName === 'argocd-cm')) return keepOther();
  keepOther(`kind ${kind} is not handled yet (apiVersion ${apiVersion}); the document is kept but not acted on`);
}

function validateDocument(
  schema: z.ZodType,
  document: Record<string, unknown>,
  warnUnknown: boolean,
  at: (field: Path) => ConfigLocation,
  result: FileParseResult,
): unknown {
  const { cleaned, unknownFields } = inspectAgainstSchema(schema, document);
  if (warnUnknown) {
    for (const field of unknownFields) {
      result.warnings.push(configWarning(at(field), 'field is not supported by Tidewater and is ignored'));
    }
  }
  const parsed = schema.safeParse(cleaned, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
  });
  if (parsed.success) return parsed.data;
  const found: ConfigError[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const detail = looksLikeSecretField(key) ? inlineSecretMessage : 'unknown field';
        found.push(new ConfigError(at([...path, key]), detail));
      }
      continue;
    }
    let detail = issue.message;
    if (formatFieldPath(path) === 'spec.source' && detail === 'is required' && hasMultiSource(document)) {
      detail = 'is required (multi-source spec.sources is not supported)';
    }
    found.push(new ConfigError(at(path), detail));
  }
  // In file order, as an operator reads them (sort is stable for equal lines).
  found.sort((left, right) => (left.line ?? 0) - (right.line ?? 0));
  result.errors.push(...found);
  return undefined;
}

const hasMultiSource = (document: Record<string, unknown>) =>
  typeof document.spec === 'object' && document.spec !== null && 'sources' in document.spec;

/** Sync option findings as warnings and errors; false when the Application is refused. */
function checkApplicationSyncOptions(application: ArgoApplication, at: (field: Path) => ConfigLocation, result: FileParseResult): boolean {
  const syncPolicy = application.spec.syncPolicy;
  let accepted = true;
  for (const finding of checkSyncOptions(syncPolicy?.syncOptions)) {
    const location = at(['spec', 'syncPolicy', 'syncOptions', finding.index]);
    if (finding.severity === 'warning') {
      result.warnings.push(configWarning(location, finding.detail));
    } else {
      result.errors.push(new ConfigError(location, finding.detail));
      accepted = false;
    }
  }
  if (syncPolicy?.managedNamespaceMetadata && !parseSyncOptions(syncPolicy.syncOptions).createNamespace) {
    result.warnings.push(configWarning(at(['spec', 'syncPolicy', 'managedNamespaceMetadata']), 'has no effect without the sync option CreateNamespace=true (as in Argo CD)'));
  }
  return accepted;
}

/** 1-based line of the deepest node on `path` that exists in the document (the key, for mapping entries). */
function lineOfPath(document: Document, lineCounter: LineCounter, path: Path): number | undefined {
  let node: unknown = document.contents;
  let offset = (document.contents as { range?: [number, number, number] } | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      offset = (node as { range?: [number, number, number] }).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}
