/**
 * Every promotion pipeline of a configuration: Tidewater `Pipeline` documents (validated by the parser), checked as
 * a whole and against the configuration's Applications. Findings name the file, document and field.
 */
import { ConfigError, configWarning, formatFieldPath, type ConfigLocation, type ConfigWarning } from '../errors.ts';
import { checkPipeline } from './check-pipeline.ts';
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
  /** The configuration's Application names; undefined when one file is parsed alone (no cross-file checks). */
  applications?: ReadonlySet<string>;
}

/** A pipeline with a finding that refuses it is left out of `pipelines` (the load fails with the error). */
export function collectPipelines(documents: readonly PipelineSourceDocument[], options: CollectPipelinesOptions = {}): CollectedPipelines {
  const result: CollectedPipelines = { pipelines: [], handled: [], warnings: [], errors: [] };
  const firstByName = new Map<string, ConfigLocation>();
  for (const document of documents) {
    if (document.kind !== 'Pipeline') continue;
    const value = document.value as PipelineDocument;
    const name = value.metadata.name;
    const first = firstByName.get(name);
    if (first) {
      const where = first.file === document.location.file ? `document ${first.documentIndex} of the same file` : `${first.file} document ${first.documentIndex}`;
      result.errors.push(new ConfigError({ ...document.location, field: 'metadata.name' }, `duplicate Pipeline name ${name}: also defined in ${where}`));
      continue;
    }
    firstByName.set(name, document.location);
    const check = checkPipeline(value.spec, options);
    for (const finding of check.warnings) result.warnings.push(configWarning({ ...document.location, field: formatFieldPath(finding.path) }, finding.detail));
    for (const finding of check.errors) result.errors.push(new ConfigError({ ...document.location, field: formatFieldPath(finding.path) }, finding.detail));
    if (check.errors.length > 0) continue;
    const { file, documentIndex } = document.location;
    result.pipelines.push({ name, origin: 'tidewater', spec: value.spec, location: { file, documentIndex } });
  }
  return result;
}
