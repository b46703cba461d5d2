// The pipeline API's shapes, written from its contract (briefs: pipeline-api). Once the promoter's routes are in the
// OpenAPI document, `npm run openapi -w @tidewater/ui` regenerates them into openapi.ts and these can point there.

export interface Freight {
  id: string;
  alias: string;
  createdAt: string;
  source: string;
  images: Array<{ repoURL: string; tag: string; digest: string }>;
  commits: Array<{ repoURL: string; id: string; branch?: string; message?: string; author?: string }>;
  charts: Array<{ repoURL: string; name: string; version: string }>;
  verifiedIn: string[];
}

export interface PipelineSummary {
  name: string;
  origin?: string;
  stages: Array<{ name: string; currentFreight?: string | null }> | string[];
  [key: string]: unknown;
}

export interface Promotion {
  id: string;
  freight: string;
  state: 'waiting' | 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  steps: Array<{ uses: string; state: string; output?: unknown; error?: string }>;
}

export interface StageStatus {
  name: string;
  applications: string[];
  autoPromote: boolean;
  upstream: string[];
  currentFreight: Freight | null;
  promotion: Promotion | null;
  hold: { by: string; at: string; reason: string } | null;
  waiting: Array<{ freight: string; gate: string; passed: boolean; reason: string; since: string }>;
  approvals: {
    required: number;
    pending: Array<{ freight: string; requestedBy: string; requestedAt: string; expiresAt: string; approvals: Array<{ user: string; at: string; comment?: string }> }>;
  } | null;
}

export interface PipelineStatus {
  name: string;
  origin?: string;
  sources?: unknown;
  stages: StageStatus[];
}

/** One freight as text, one artifact a line, so two can be compared line by line. */
export function freightText(freight: Freight): string {
  return [
    `freight ${freight.alias} (${freight.id.slice(0, 12)})`,
    `created ${freight.createdAt} from ${freight.source}`,
    ...freight.images.map((image) => `image ${image.repoURL}:${image.tag} @${image.digest}`),
    ...freight.commits.map((commit) => `commit ${commit.repoURL} ${commit.id}${commit.branch ? ` (${commit.branch})` : ''}${commit.message ? ` ${commit.message.split('\n')[0]}` : ''}`),
    ...freight.charts.map((chart) => `chart ${chart.repoURL} ${chart.name} ${chart.version}`),
    `verified in: ${freight.verifiedIn.join(', ') || 'none'}`,
  ].join('\n');
}
