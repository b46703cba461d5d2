import type { GitProvider } from '../push/normalised-push.ts';
import { createBitbucketAdapter } from './bitbucket.ts';
import { createGiteaAdapter } from './gitea.ts';
import { createGithubAdapter } from './github.ts';
import { createGitlabAdapter } from './gitlab.ts';
import type { GitProviderAdapter } from './provider-adapter.ts';

/** One adapter per supported Git provider. */
export function createGitProviderAdapters(): Record<GitProvider, GitProviderAdapter> {
  return {
    github: createGithubAdapter(),
    gitlab: createGitlabAdapter(),
    gitea: createGiteaAdapter(),
    bitbucket: createBitbucketAdapter(),
  };
}
