import { forgeRequest, type ForgeHttp } from './forge-request.ts';
import type { PullRequestOutcome, PullRequestTarget } from './pull-request-target.ts';

interface GiteaPullRequest {
  number: number;
  html_url: string;
  head?: { ref?: string };
  base?: { ref?: string };
}

const pageSize = 50;
const maxPages = 20;

/**
 * Gitea API v1: the open pull request from `head` into `base` is found in `GET /repos/{owner}/{repo}/pulls?state=open`
 * (paged) and updated (`PATCH …/pulls/{index}`); without one, `POST /api/v1/repos/{owner}/{repo}/pulls` opens it.
 */
export async function ensureGiteaPullRequest(http: ForgeHttp, target: PullRequestTarget): Promise<PullRequestOutcome> {
  const repo = `repos/${target.repository.split('/').map(encodeURIComponent).join('/')}`;
  let existing: GiteaPullRequest | undefined;
  for (let page = 1; page <= maxPages && !existing; page++) {
    const query = new URLSearchParams({ state: 'open', page: String(page), limit: String(pageSize) });
    const open = await forgeRequest<GiteaPullRequest[]>(http, 'GET', `${repo}/pulls?${query}`);
    if (!Array.isArray(open)) break;
    existing = open.find((pull) => pull.head?.ref === target.head && pull.base?.ref === target.base);
    if (open.length < pageSize) break;
  }
  if (existing) {
    const updated = await forgeRequest<GiteaPullRequest>(http, 'PATCH', `${repo}/pulls/${existing.number}`, { title: target.title, body: target.body });
    return { action: 'updated', number: updated.number, url: updated.html_url };
  }
  const opened = await forgeRequest<GiteaPullRequest>(http, 'POST', `${repo}/pulls`, { head: target.head, base: target.base, title: target.title, body: target.body });
  return { action: 'opened', number: opened.number, url: opened.html_url };
}

export const giteaAuthHeaders = (token: string) => ({ authorization: `token ${token}` });
