import type { ImagePullRequestSettings } from '@tidewater/config';
import { forgeRequest } from './forge-request.ts';
import { forgeAuthHeaders, forgeHttpFor, type PullRequestDeps } from './ensure-pull-request.ts';

/** Where one pull (merge) request stands: open, merged (with the merge commit when the forge names it) or closed unmerged. */
export interface PullRequestState {
  state: 'open' | 'merged' | 'closed';
  url?: string;
  /** The branch it merges into. */
  base?: string;
  mergeCommit?: string;
}

interface ForgePull {
  state?: string;
  merged?: boolean;
  merge_commit_sha?: string | null;
  html_url?: string;
  web_url?: string;
  base?: { ref?: string };
  target_branch?: string;
}

/**
 * Reads a pull request by number: GitHub and Gitea `GET /repos/{owner}/{repo}/pulls/{number}` (`merged`, `state`),
 * GitLab `GET /projects/:id/merge_requests/:iid` (`state: merged|closed|opened`).
 */
export async function readPullRequestState(deps: PullRequestDeps, settings: ImagePullRequestSettings, repository: string, number: number): Promise<PullRequestState> {
  const http = forgeHttpFor(deps, settings, repository)(forgeAuthHeaders[settings.provider]);
  const path = settings.provider === 'gitlab'
    ? `projects/${encodeURIComponent(repository)}/merge_requests/${number}`
    : `repos/${repository.split('/').map(encodeURIComponent).join('/')}/pulls/${number}`;
  const pull = await forgeRequest<ForgePull>(http, 'GET', path);
  const url = pull.html_url ?? pull.web_url;
  const mergeCommit = pull.merge_commit_sha ?? undefined;
  const merged = pull.merged === true || pull.state === 'merged';
  const state = merged ? 'merged' : pull.state === 'open' || pull.state === 'opened' ? 'open' : 'closed';
  const base = pull.base?.ref ?? pull.target_branch;
  return { state, ...(url ? { url } : {}), ...(base ? { base } : {}), ...(merged && mergeCommit ? { mergeCommit } : {}) };
}
