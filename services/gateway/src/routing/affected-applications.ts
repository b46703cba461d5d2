import type { ArgoApplication } from '@tidewater/config';
import type { NormalisedPush } from '../push/normalised-push.ts';
import { safeNormalizeRepoUrl } from './repository-match.ts';

/** Source paths each app's last render read (Redis SET `redisKeys.sourcePaths(app)`), by app name. */
export type SourcePathsByApp = ReadonlyMap<string, readonly string[]>;

const commitShaPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * The applications a push must re-render: same repository, a targetRevision that follows the pushed ref,
 * and (when the push lists its files) a changed file inside the app's path or inside a path its last render read.
 */
export function affectedApplications(
  push: NormalisedPush,
  applications: readonly ArgoApplication[],
  sourcePathsByApp: SourcePathsByApp,
): ArgoApplication[] {
  if (push.deleted) return [];
  return applications.filter((application) => {
    if (!followsPushedRef(push, application)) return false;
    if (push.changedPaths === undefined) return true;
    const watched = [application.spec.source.path ?? '', ...(sourcePathsByApp.get(application.metadata.name) ?? [])];
    return push.changedPaths.some((changed) => watched.some((watchedPath) => isInside(changed, watchedPath)));
  });
}

/** Same repository and a targetRevision that names the pushed ref; no look at paths. */
export function followsPushedRef(push: NormalisedPush, application: ArgoApplication): boolean {
  const source = application.spec.source;
  if (!source?.repoURL) return false;
  const repoUrl = safeNormalizeRepoUrl(source.repoURL);
  if (repoUrl === undefined || !push.repoUrls.includes(repoUrl)) return false;
  return targetRevisionMatchesRef(source.targetRevision, push.ref, push.defaultBranch);
}

/**
 * Whether an Argo CD targetRevision follows `ref`: `HEAD` (or empty) follows the default branch (`main` or
 * `master` when the payload does not say), a bare name follows the branch or tag of that name, a full ref
 * matches itself, and a commit SHA is pinned and never follows a push.
 */
export function targetRevisionMatchesRef(targetRevision: string | undefined, ref: string, defaultBranch: string | undefined): boolean {
  const revision = (targetRevision ?? '').trim();
  if (revision === '' || revision === 'HEAD') {
    const defaults = defaultBranch ? [defaultBranch] : ['main', 'master'];
    return defaults.some((branch) => ref === `refs/heads/${branch}`);
  }
  if (commitShaPattern.test(revision)) return false;
  if (revision.startsWith('refs/')) return ref === revision;
  if (revision.startsWith('heads/') || revision.startsWith('tags/')) return ref === `refs/${revision}`;
  return ref === `refs/heads/${revision}` || ref === `refs/tags/${revision}`;
}

/** Whether repository-relative `path` is `directory` itself or lies below it; `.` and `` are the whole repository. */
export function isInside(path: string, directory: string): boolean {
  const dir = cleanRepoPath(directory);
  if (dir === '') return true;
  const file = cleanRepoPath(path);
  return file === dir || file.startsWith(`${dir}/`);
}

function cleanRepoPath(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  return segments.join('/');
}
