/**
 * Image policies derived from pipelines' `image:` sources (what Kargo Warehouse image subscriptions translate into),
 * so a registry push or poll reaches the promoter through the same image flow as every other policy. Such a
 * policy writes nothing: its decision (tag + digest) becomes the source's newest artifact, i.e. freight.
 */
import { normaliseImageName, type ImagePolicy } from '../images/image-policy.ts';
import type { FreightSource, Pipeline } from './pipeline.ts';

/** The id of the image policy derived from a pipeline's `image:` source. */
export function pipelineSourcePolicyId(pipeline: string, source: string): string {
  return `pipeline:${pipeline}:${source}`;
}

export interface SourcePolicyFinding {
  pipeline: Pipeline;
  /** Relative to the Pipeline document (`spec.sources[0].chart`). */
  path: Array<string | number>;
  detail: string;
}

export interface SourceImagePolicies {
  policies: ImagePolicy[];
  /** Sources accepted but not followed (chart): warned at load, never silently dropped. */
  warnings: SourcePolicyFinding[];
}

/** One derived policy per `image:` source; a warning per `chart:` source (charts make no freight yet). */
export function sourceImagePolicies(pipelines: readonly Pipeline[]): SourceImagePolicies {
  const result: SourceImagePolicies = { policies: [], warnings: [] };
  for (const pipeline of pipelines) {
    pipeline.spec.sources.forEach((source, index) => {
      if (source.chart) {
        result.warnings.push({ pipeline, path: ['spec', 'sources', index, 'chart'], detail: `source ${source.name}: chart sources make no freight yet (only image, imagePolicy and git sources are followed); the stages fed by it promote nothing from it` });
      }
      if (source.image) result.policies.push(sourcePolicy(pipeline, source, source.image));
    });
  }
  return result;
}

function sourcePolicy(pipeline: Pipeline, source: FreightSource, image: NonNullable<FreightSource['image']>): ImagePolicy {
  // The first stage fed by the source names the Application (image jobs carry one); nothing is written to it.
  const stage = pipeline.spec.stages.find((candidate) => candidate.freightFrom.sources?.includes(source.name)) ?? pipeline.spec.stages[0];
  return {
    id: pipelineSourcePolicyId(pipeline.name, source.name),
    origin: 'pipeline',
    app: stage.applications[0],
    alias: source.name,
    image: normaliseImageName(image.repoURL),
    strategy: image.strategy ?? 'semver',
    ...(image.constraint ? { constraint: image.constraint } : {}),
    ...(image.allowTags ? { allowTags: image.allowTags } : {}),
    ignoreTags: image.ignoreTags ?? [],
    forceUpdate: true,
    platforms: [],
    writeBack: { method: 'freight', target: { kind: 'kustomization', path: '' } },
  };
}
