import { defaultAppProject, projectPermits, sameRepo, type ArgoApplication, type Repository, type TidewaterConfig } from '@tidewater/config';
import { permanent } from '../errors/permanent.ts';
import { repositoryFor } from './credentials.ts';
import { allowedGitProtocols, assertTransportAllowed } from './transport.ts';

export interface SourceAccess {
  /** The Repository document of the source, when there is one (credentials, per-repository settings). */
  repository: Repository | undefined;
  /** GIT_ALLOW_PROTOCOL for fetching it. */
  allowProtocols: string;
}

/**
 * Decides, before anything is fetched or read from the cache, whether the renderer may touch `repoURL` for
 * `app`: it must be the Application's own source repository, its AppProject must permit it (`sourceRepos`),
 * and its transport must be allowed (see assertTransportAllowed). Every refusal is permanent and names why.
 */
export function authorizeSource(config: TidewaterConfig, app: ArgoApplication, repoURL: string): SourceAccess {
  const appName = app.metadata.name;
  if (!sameRepo(repoURL, app.spec.source.repoURL)) {
    throw permanent(`render job for ${appName} names repository ${repoURL}, which is not the application's spec.source.repoURL ${app.spec.source.repoURL}`);
  }
  const projectName = app.spec.project || 'default';
  const project = config.projects.find((candidate) => candidate.metadata.name === projectName)
    ?? (projectName === 'default' ? defaultAppProject() : undefined);
  if (!project) throw permanent(`application ${appName} names project ${projectName}, which is not defined`);
  const decision = projectPermits(project, { repoURL });
  if (!decision.allowed) throw permanent(`render of ${appName} refused before fetching: ${decision.reason}`);
  const repository = repositoryFor(config.repositories, repoURL);
  assertTransportAllowed(repoURL, repository);
  return { repository, allowProtocols: allowedGitProtocols(repository) };
}
