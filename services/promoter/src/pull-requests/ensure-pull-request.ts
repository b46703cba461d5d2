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
  const http = forgeHttpFor(deps, settings, target.repository);
  switch (settings.provider) {
    case 'github':
      return ensureGitHubPullRequest(http(gitHubAuthHeaders), target);
    case 'gitlab':
      return ensureGitLabMergeRequest(http(gitLabAuthHeaders), target);
    case 'gitea':
      return ensureGiteaPullRequest(http(giteaAuthHeaders), target);
  }
}

/** The forge API of `settings` for one repository, its token read from the reference now (never logged, sent to apiUrl's origin only). */
export function forgeHttpFor(deps: PullRequestDeps, settings: ImagePullRequestSettings, repository: string): (authHeaders: (token: string) => Record<string, string>) => ForgeHttp {
  let token: string;
  try {
    token = resolveSecret(settings.tokenRef, deps.env ?? process.env);
  } catch (error) {
    if (error instanceof SecretRefError) throw new ImageUpdateError(`pull request token for ${repository}: ${error.message}`);
    throw new ImageUpdateError(`pull request token for ${repository}: ${describeSecretRef(settings.tokenRef)} cannot be read`);
  }
  return (authHeaders) => ({
    fetch: deps.fetch ?? globalThis.fetch, provider: settings.provider, apiUrl: settings.apiUrl, repository, authHeaders: authHeaders(token),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
}

/** The authorization headers of each provider, for a token. */
export const forgeAuthHeaders = { github: gitHubAuthHeaders, gitlab: gitLabAuthHeaders, gitea: giteaAuthHeaders } as const;
