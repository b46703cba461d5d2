import { forgeRequest, type ForgeHttp } from './forge-request.ts';
import type { PullRequestOutcome, PullRequestTarget } from './pull-request-target.ts';

interface GitHubPullRequest {
  number: number;
  html_url: string;
}

/**
 * GitHub REST API: the open pull request whose head is `owner:head` into `base` (`GET /repos/{owner}/{repo}/pulls`
 * with `head` and `base` filters) is updated (`PATCH …/pulls/{number}`); without one, `POST /repos/{owner}/{repo}/pulls` opens it.
 */
export async function ensureGitHubPullRequest(http: ForgeHttp, target: PullRequestTarget): Promise<PullRequestOutcome> {
  const [owner] = target.repository.split('/');
  const repo = `repos/${target.repository.split('/').map(encodeURIComponent).join('/')}`;
  const query = new URLSearchParams({ state: 'open', head: `${owner}:${target.head}`, base: target.base, per_page: '10' });
  const open = await forgeRequest<GitHubPullRequest[]>(http, 'GET', `${repo}/pulls?${query}`);
  const existing = Array.isArray(open) ? open[0] : undefined;
  if (existing) {
    const updated = await forgeRequest<GitHubPullRequest>(http, 'PATCH', `${repo}/pulls/${existing.number}`, { title: target.title, body: target.body });
    return { action: 'updated', number: updated.number, url: updated.html_url };
  }
  const opened = await forgeRequest<GitHubPullRequest>(http, 'POST', `${repo}/pulls`, { title: target.title, head: target.head, base: target.base, body: target.body });
  return { action: 'opened', number: opened.number, url: opened.html_url };
}

/** GitHub accepts `Bearer` for every token kind (classic, fine-grained, GitHub App installation). */
export const gitHubAuthHeaders = (token: string) => ({
  authorization: `Bearer ${token}`,
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
});
