/** What the Kargo and GitOps Promoter translations produce, and their shared helpers. */
import type { ConfigLocation } from '../errors.ts';
import type { PipelineFinding } from './check-pipeline.ts';
import type { PipelineSpec } from './pipeline.ts';

export interface ForeignDocument {
  value: unknown;
  location: ConfigLocation;
}

export interface LocatedFinding extends PipelineFinding {
  location: ConfigLocation;
}

export interface TranslatedPipeline {
  name: string;
  spec: PipelineSpec;
  location: ConfigLocation;
  /** Where each stage was written (for findings about the translated pipeline). */
  stageLocations: ConfigLocation[];
  /** Pipeline field (`spec.stages[2].gates[1].expression`) → the field it was translated from, where known. */
  sourceFields?: Map<string, Array<string | number>>;
}

export interface Translation {
  pipelines: TranslatedPipeline[];
  /** Documents this translation read (their "not handled yet" warning is dropped). */
  handled: ConfigLocation[];
  errors: LocatedFinding[];
  warnings: LocatedFinding[];
}

/** A document read and validated against a peer tool's schema, and where it was written. */
export interface Read<T> { value: T; location: ConfigLocation }

/** Reports a finding at a document's field. */
export type Report = (location: ConfigLocation, path: Array<string | number>, detail: string) => void;

export const locationKey = (location: ConfigLocation) => `${location.file}#${location.documentIndex}`;

/** Findings without repeats (a PromotionTask used by several Stages is translated once per Stage). */
export function uniqueFindings(findings: readonly LocatedFinding[]): LocatedFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${locationKey(finding.location)}|${finding.path.join('.')}|${finding.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `Staging Env` → `staging-env`: an RFC 1123 name for a source or stage. */
export const sanitiseName = (name: string, fallback: string) => name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || fallback;
