import { forgeRequest, type ForgeHttp } from './forge-request.ts';
import type { PullRequestOutcome, PullRequestTarget } from './pull-request-target.ts';

interface GitLabMergeRequest {
  iid: number;
  web_url: string;
}

/**
 * GitLab merge requests API: the opened merge request from `head` into `base`
 * (`GET /projects/:id/merge_requests?state=opened&source_branch=…&target_branch=…`) is updated
 * (`PUT /projects/:id/merge_requests/:iid`); without one, `POST /projects/:id/merge_requests` opens it.
 * `:id` is the URL-encoded project path.
 */
export async function ensureGitLabMergeRequest(http: ForgeHttp, target: PullRequestTarget): Promise<PullRequestOutcome> {
  const project = `projects/${encodeURIComponent(target.repository)}`;
  const query = new URLSearchParams({ state: 'opened', source_branch: target.head, target_branch: target.base });
  const open = await forgeRequest<GitLabMergeRequest[]>(http, 'GET', `${project}/merge_requests?${query}`);
  const existing = Array.isArray(open) ? open[0] : undefined;
  if (existing) {
    const updated = await forgeRequest<GitLabMergeRequest>(http, 'PUT', `${project}/merge_requests/${existing.iid}`, { title: target.title, description: target.body });
    return { action: 'updated', number: updated.iid, url: updated.web_url };
  }
  const opened = await forgeRequest<GitLabMergeRequest>(http, 'POST', `${project}/merge_requests`, {
    source_branch: target.head, target_branch: target.base, title: target.title, description: target.body, remove_source_branch: true,
  });
  return { action: 'opened', number: opened.iid, url: opened.web_url };
}

export const gitLabAuthHeaders = (token: string) => ({ 'private-token': token });
