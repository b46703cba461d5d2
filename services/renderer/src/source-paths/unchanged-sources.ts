import type { Redis } from 'ioredis';
import { createGitClient } from '../git/git-client.ts';
import { mirrorPathFor } from '../git/mirror.ts';

// A push to a repository of 1,000 applications changes one or two of them. A render of a new commit whose source
// paths (the app's directory, its kustomize bases, value files: what the previous render read) hold exactly the
// same files as at the commit rendered last needs no checkout and no tool: the previous bundle is the answer. This
// is what keeps a periodic reconcile from re-rendering every application after each push.

/** The commit the renderer last rendered an application at (renderer-private). */
export const lastRenderedKey = (app: string) => `tidewater:renderer:last-rendered:${app}`;

export async function readLastRendered(redis: Redis, app: string): Promise<string | undefined> {
  return (await redis.get(lastRenderedKey(app))) ?? undefined;
}

export async function recordLastRendered(redis: Redis, app: string, revision: string): Promise<void> {
  await redis.set(lastRenderedKey(app), revision, 'EX', 30 * 24 * 3_600);
}

const wholeRepository = new Set(['', '.', '/']);
const symlinkMode = '120000 ';

// Per commit (commits are immutable), shared by the renders of one push; bounded.
const symlinkAnswers = new Map<string, Promise<boolean>>();
const symlinkAnswersKept = 64;

function commitHasSymlinks(git: ReturnType<typeof createGitClient>, repoURL: string, revision: string): Promise<boolean> {
  const key = `${repoURL}\u0000${revision}`;
  let answer = symlinkAnswers.get(key);
  if (!answer) {
    answer = git.run(['ls-tree', '-r', '--full-tree', revision], { operation: 'ls-tree', repo: repoURL })
      .then((listing) => listing.split('\n').some((line) => line.startsWith(symlinkMode)));
    answer.catch(() => symlinkAnswers.delete(key));
    symlinkAnswers.set(key, answer);
    if (symlinkAnswers.size > symlinkAnswersKept) symlinkAnswers.delete(symlinkAnswers.keys().next().value!);
  }
  return answer;
}

/**
 * Whether every source path has the same content (tree and blob ids) at `to` as at `from`, read from the bare
 * mirror without a checkout. False when either commit is missing from the mirror, a path is the whole repository,
 * the paths hold a symlink (its target may lie outside them, so equal ids would not mean an equal render) or the
 * new commit holds one anywhere (only a real checkout and its sandbox walk may judge it).
 */
export async function sourcePathsUnchanged(input: { cacheDir: string; repoURL: string; from: string; to: string; paths: readonly string[] }): Promise<boolean> {
  const { from, to, paths } = input;
  if (from === to) return true;
  if (paths.length === 0 || paths.some((path) => wholeRepository.has(path) || path.startsWith('-'))) return false;
  const git = createGitClient({ baseDir: mirrorPathFor(input.cacheDir, input.repoURL) });
  const list = (revision: string) => git.run(['ls-tree', '-r', '--full-tree', revision, '--', ...paths], { operation: 'ls-tree', repo: input.repoURL });
  try {
    const [before, after] = await Promise.all([list(from), list(to)]);
    if (after.trim() === '' || before !== after) return false;
    if (after.split('\n').some((line) => line.startsWith(symlinkMode))) return false;
    // The checkout sandbox refuses a commit with an escaping symlink anywhere for every app: a reused bundle must not
    // get past that door, so a commit holding any symlink is always rendered (and walked).
    return !(await commitHasSymlinks(git, input.repoURL, to));
  } catch {
    return false; // a commit the mirror lacks, or anything else: render as usual
  }
}
