import { describeSecretRef, resolveSecret, SecretRefError, type ImagePullRequestSettings } from '@tidewater/config';
import { ImageUpdateError } from '../errors/promoter-errors.ts';
import type { ForgeHttp } from './forge-request.ts';
import { ensureGiteaPullRequest, giteaAuthHeaders } from './gitea-pull-requests.ts';
import { ensureGitHubPullRequest, gitHubAuthHeaders } from './github-pull-requests.ts';
import { ensureGitLabMergeRequest, gitLabAuthHeaders } from './gitlab-merge-requests.ts';
import type { PullRequestOutcome, PullRequestTarget } from './pull-request-target.ts';

export interface PullRequestDeps {
  fetch?: typeof fetch;
  /** Where the token reference is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** `owner/repo` from `https://host/owner/repo.git`, `ssh://git@host/owner/repo` or `git@host:owner/repo.git`. */
export function repositoryPathOf(repoUrl: string): string {
  let path: string;
  try {
    path = new URL(repoUrl).pathname;
  } catch {
    path = repoUrl.includes(':') ? repoUrl.slice(repoUrl.indexOf(':') + 1) : repoUrl;
  }
  const cleaned = path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  if (!/^[^/]+(\/[^/]+)+$/.test(cleaned)) throw new ImageUpdateError(`${repoUrl}: cannot tell owner/repo from the repository URL; set writeBack.pullRequest.repository`);
  return cleaned;
}

/**
 * Opens or updates the one pull request of a target through the forge's REST API. The token is read from its secret
 * reference here, used for this call only, and sent only to the API URL's origin.
 */
export async function ensurePullRequest(deps: PullRequestDeps, settings: ImagePullRequestSettings, target: PullRequestTarget): Promise<PullRequestOutcome> {
  let token: string;
  try {
    token = resolveSecret(settings.tokenRef, deps.env ?? process.env);
  } catch (error) {
    if (error instanceof SecretRefError) throw new ImageUpdateError(`pull request token for ${target.repository}: ${error.message}`);
    throw new ImageUpdateError(`pull request token for ${target.repository}: ${describeSecretRef(settings.tokenRef)} cannot be read`);
  }
  const http = (authHeaders: Record<string, string>): ForgeHttp => ({
    fetch: deps.fetch ?? globalThis.fetch, provider: settings.provider, apiUrl: settings.apiUrl, repository: target.repository, authHeaders,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  switch (settings.provider) {
    case 'github':
      return ensureGitHubPullRequest(http(gitHubAuthHeaders(token)), target);
    case 'gitlab':
      return ensureGitLabMergeRequest(http(gitLabAuthHeaders(token)), target);
    case 'gitea':
      return ensureGiteaPullRequest(http(giteaAuthHeaders(token)), target);
  }
}
