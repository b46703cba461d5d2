import type { components } from './openapi.ts';

// The pipeline API's shapes, generated from the OpenAPI document (the promoter's pipeline routes).
export type Freight = components['schemas']['Freight'];
export type PipelineSummary = components['schemas']['PipelineSummary'];
export type Promotion = components['schemas']['Promotion'];
export type StageStatus = components['schemas']['StageStatus'];
export type PipelineStatus = components['schemas']['PipelineStatus'];

/** One freight as text, one artifact a line, so two can be compared line by line. */
export function freightText(freight: Freight): string {
  return [
    `freight ${freight.alias} (${freight.id.slice(0, 12)})`,
    `created ${freight.createdAt} from ${freight.source}`,
    ...freight.images.map((image) => `image ${image.repoURL}:${image.tag}${image.digest ? ` @${image.digest}` : ''}`),
    ...freight.commits.map((commit) => `commit ${commit.repoURL} ${commit.id}${commit.branch ? ` (${commit.branch})` : ''}${commit.message ? ` ${commit.message.split('\n')[0]}` : ''}`),
    ...freight.charts.map((chart) => `chart ${chart.repoURL} ${chart.name} ${chart.version}`),
    `verified in: ${freight.verifiedIn.join(', ') || 'none'}`,
  ].join('\n');
}
