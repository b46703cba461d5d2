/**
 * Every promotion pipeline of a configuration: Tidewater `Pipeline` documents (validated by the parser) and the
 * Pipelines Kargo and GitOps Promoter documents translate into, each checked as a whole and against the
 * configuration's Applications. Findings name the file, document and field.
 */
import { ConfigError, configWarning, formatFieldPath, type ConfigLocation, type ConfigWarning } from '../errors.ts';
import type { ArgoApplication } from '../schema/application.ts';
import { checkPipeline, type PipelineCheck } from './check-pipeline.ts';
import { translateGitopsPromoter } from './gitops-promoter-translate.ts';
import { translateKargo } from './kargo-translate.ts';
import type { LocatedFinding, Translation } from './translation.ts';
import type { Pipeline, PipelineDocument } from './pipeline.ts';

/** A loaded document as the loader holds it (see parse-text.ts): enough to find the pipelines. */
export type PipelineSourceDocument =
  | { kind: 'Pipeline'; value: PipelineDocument; location: ConfigLocation }
  | { kind: string; value: unknown; location: ConfigLocation };

export interface CollectedPipelines {
  pipelines: Pipeline[];
  /** Documents translated here (Kargo, GitOps Promoter): the loader's "not handled yet" warning is dropped for them. */
  handled: Array<{ file: string; documentIndex: number }>;
  warnings: ConfigWarning[];
  errors: ConfigError[];
}

export interface CollectPipelinesOptions {
  /** The configuration's Applications (for matching translated stages to Applications). Default: the documents' own. */
  applications?: readonly ArgoApplication[];
  /** Refuse a Pipeline naming an Application not in `applications`. False when one file is parsed alone. Default true. */
  checkApplications?: boolean;
  /** Ids of the configuration's image policies; a source naming another is refused. Undefined skips the check. */
  imagePolicies?: readonly string[];
}

/** A pipeline with a finding that refuses it is left out of `pipelines` (the load fails with the error). */
export function collectPipelines(documents: readonly PipelineSourceDocument[], options: CollectPipelinesOptions = {}): CollectedPipelines {
  const result: CollectedPipelines = { pipelines: [], handled: [], warnings: [], errors: [] };
  const applications = options.applications ?? documents.flatMap((document) => (document.kind === 'Application' ? [document.value as ArgoApplication] : []));
  const applicationNames = new Set(applications.map((application) => application.metadata.name));
  const checkOptions = {
    ...(options.checkApplications === false ? {} : { applications: applicationNames }),
    ...(options.imagePolicies ? { imagePolicies: new Set(options.imagePolicies) } : {}),
  };
  const firstByName = new Map<string, ConfigLocation>();
  const claimName = (name: string, location: ConfigLocation, field: string): boolean => {
    const first = firstByName.get(name);
    if (!first) {
      firstByName.set(name, location);
      return true;
    }
    const where = first.file === location.file ? `document ${first.documentIndex} of the same file` : `${first.file} document ${first.documentIndex}`;
    result.errors.push(new ConfigError({ ...location, field }, `duplicate Pipeline name ${name}: also defined in ${where}`));
    return false;
  };
  const report = (check: PipelineCheck, locate: (path: Array<string | number>) => { location: ConfigLocation; field: string; prefix: string }) => {
    for (const finding of check.warnings) {
      const { location, field, prefix } = locate(finding.path);
      result.warnings.push(configWarning({ ...location, field }, `${prefix}${finding.detail}`));
    }
    for (const finding of check.errors) {
      const { location, field, prefix } = locate(finding.path);
      result.errors.push(new ConfigError({ ...location, field }, `${prefix}${finding.detail}`));
    }
  };

  for (const document of documents) {
    if (document.kind !== 'Pipeline') continue;
    const value = document.value as PipelineDocument;
    const name = value.metadata.name;
    if (!claimName(name, document.location, 'metadata.name')) continue;
    const check = checkPipeline(value.spec, checkOptions);
    report(check, (path) => ({ location: document.location, field: formatFieldPath(path), prefix: '' }));
    if (check.errors.length > 0) continue;
    const { file, documentIndex } = document.location;
    result.pipelines.push({ name, origin: 'tidewater', spec: value.spec, location: { file, documentIndex } });
  }

  const others = documents.filter((document) => document.kind === 'other');
  const translations: Array<{ origin: Pipeline['origin']; translation: Translation }> = [
    { origin: 'kargo', translation: translateKargo(others, applications) },
    { origin: 'gitops-promoter', translation: translateGitopsPromoter(others, applications) },
  ];
  for (const { origin, translation } of translations) {
    result.handled.push(...translation.handled.map(({ file, documentIndex }) => ({ file, documentIndex })));
    const located = (finding: LocatedFinding) => ({ ...finding.location, field: formatFieldPath(finding.path) });
    for (const finding of translation.warnings) result.warnings.push(configWarning(located(finding), finding.detail));
    for (const finding of translation.errors) result.errors.push(new ConfigError(located(finding), finding.detail));
    for (const translated of translation.pipelines) {
      if (!claimName(translated.name, translated.location, 'metadata.name')) continue;
      // The translation already names its own problems where they are written; this catches what only the whole shows (cycles, expressions).
      const check = checkPipeline(translated.spec, checkOptions);
      report(check, (path) => {
        const sourceField = translated.sourceFields?.get(formatFieldPath(path));
        if (sourceField) return { location: translated.location, field: formatFieldPath(sourceField), prefix: '' };
        const stageIndex = path[0] === 'spec' && path[1] === 'stages' && typeof path[2] === 'number' ? path[2] : undefined;
        const location = stageIndex === undefined ? translated.location : translated.stageLocations[stageIndex] ?? translated.location;
        return { location, field: '', prefix: `translated to Tidewater pipeline ${translated.name}, ${formatFieldPath(path)}: ` };
      });
      if (check.errors.length > 0) continue;
      const { file, documentIndex } = translated.location;
      result.pipelines.push({ name: translated.name, origin, spec: translated.spec, location: { file, documentIndex } });
    }
  }
  return result;
}
