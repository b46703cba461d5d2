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
  const changed = cleanedChangedPaths(push);
  return applications.filter((application) => {
    if (!followsPushedRef(push, application)) return false;
    if (changed === undefined) return true;
    if (touches(changed, sourceOf(application).path)) return true;
    const stored = sourcePathsByApp.get(application.metadata.name) ?? [];
    return stored.some((watchedPath) => touches(changed, cleanRepoPath(watchedPath)));
  });
}

/**
 * The apps that follow a pushed ref but whose own path no listed file touches: only the source paths their last
 * render read can pull them in, so only theirs need reading. Empty when the push lists no files.
 */
export function applicationsNeedingSourcePaths(push: NormalisedPush, applications: readonly ArgoApplication[]): ArgoApplication[] {
  const changed = cleanedChangedPaths(push);
  if (push.deleted || changed === undefined) return [];
  return applications.filter((application) => followsPushedRef(push, application) && !touches(changed, sourceOf(application).path));
}

/** Same repository and a targetRevision that names the pushed ref; no look at paths. */
export function followsPushedRef(push: NormalisedPush, application: ArgoApplication): boolean {
  const source = sourceOf(application);
  if (source.repoUrl === undefined || !push.repoUrls.includes(source.repoUrl)) return false;
  return targetRevisionMatchesRef(source.targetRevision, push.ref, push.defaultBranch);
}

interface ApplicationSource {
  /** `spec.source.repoURL` normalised; undefined when absent or unreadable. */
  repoUrl: string | undefined;
  /** `spec.source.path`, cleaned (`''` is the whole repository). */
  path: string;
  targetRevision: string | undefined;
}

// Configurations are replaced, never changed in place: what is derived from an Application is computed once.
const sources = new WeakMap<ArgoApplication, ApplicationSource>();

function sourceOf(application: ArgoApplication): ApplicationSource {
  let source = sources.get(application);
  if (source === undefined) {
    const spec = application.spec.source;
    source = {
      repoUrl: spec?.repoURL ? safeNormalizeRepoUrl(spec.repoURL) : undefined,
      path: cleanRepoPath(spec?.path ?? ''),
      targetRevision: spec?.targetRevision,
    };
    sources.set(application, source);
  }
  return source;
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

const cleanedPaths = new WeakMap<NormalisedPush, string[]>();

/** The push's changed paths, cleaned once per push (routing looks at them several times). */
function cleanedChangedPaths(push: NormalisedPush): string[] | undefined {
  if (push.changedPaths === undefined) return undefined;
  let cleaned = cleanedPaths.get(push);
  if (cleaned === undefined) {
    cleaned = push.changedPaths.map(cleanRepoPath);
    cleanedPaths.set(push, cleaned);
  }
  return cleaned;
}

/** Whether repository-relative `path` is `directory` itself or lies below it; `.` and `` are the whole repository. */
export function isInside(path: string, directory: string): boolean {
  return isInsideCleaned(cleanRepoPath(path), cleanRepoPath(directory));
}

function isInsideCleaned(file: string, dir: string): boolean {
  if (dir === '') return true;
  return file === dir || (file.length > dir.length && file.charCodeAt(dir.length) === 47 /* / */ && file.startsWith(dir));
}

/** Whether any of the (cleaned) changed paths lies in the (cleaned) directory. */
function touches(changed: readonly string[], dir: string): boolean {
  return changed.some((file) => isInsideCleaned(file, dir));
}

function cleanRepoPath(path: string): string {
  // The common case, a plain relative path, needs no work.
  if (!path.includes('//') && !path.startsWith('/') && !path.endsWith('/') && !path.startsWith('./') && !path.includes('/./') && !path.endsWith('/.') && path !== '.') return path;
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  return segments.join('/');
}
