import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { permanent } from '../errors/permanent.ts';

/** Repository-relative path in one spelling: forward slashes, no `.`/`..` segments, no trailing slash; root is `.`. */
export function normalizeRepoPath(path: string): string {
  const cleaned = posix.normalize(path.replaceAll('\\', '/').replace(/^\/+/, '')).replace(/\/+$/, '');
  return cleaned === '' ? '.' : cleaned;
}

/** Whether a normalised path climbs out of the repository. */
export function escapesRepo(normalized: string): boolean {
  return normalized === '..' || normalized.startsWith('../');
}

/** Joins a path relative to `fromDir` (repo-relative) and returns it repo-relative, or undefined when outside. */
export function joinRepoPath(fromDir: string, path: string): string | undefined {
  const joined = normalizeRepoPath(posix.join(fromDir === '.' ? '' : fromDir, path));
  return escapesRepo(joined) ? undefined : joined;
}

/** Absolute location of a repo-relative path inside the checked-out tree. */
export function absoluteIn(repoRoot: string, repoPath: string): string {
  return repoPath === '.' ? repoRoot : join(repoRoot, ...repoPath.split('/'));
}

/** Repo-relative spelling of an absolute path inside the tree. */
export function repoRelative(repoRoot: string, absolutePath: string): string {
  return normalizeRepoPath(relative(repoRoot, absolutePath).split(sep).join('/'));
}

/**
 * Refuses a path whose real location (after symlinks) is outside the checked-out repository, as Argo CD does,
 * so a repository cannot make the renderer read files of the host.
 */
export function assertInsideRepo(repoRoot: string, absolutePath: string, label: string): void {
  if (!existsSync(absolutePath)) return;
  const realRoot = realpathSync(repoRoot);
  const real = realpathSync(absolutePath);
  const rel = relative(realRoot, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw permanent(`${label} points outside the repository`);
}
