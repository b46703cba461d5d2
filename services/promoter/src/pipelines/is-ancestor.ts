import { existsSync } from 'node:fs';
import type { PromoterGit } from '../git/promoter-git.ts';
import { cloneDirOf } from '../git/working-copy.ts';
import type { IsAncestor } from './app-observation.ts';

/** Ancestry asked of the promoter's clone of the repository; a commit it lacks is fetched once (the branch). */
export function createIsAncestor(deps: { git: PromoterGit; cacheDir: string }): IsAncestor {
  return async (repoURL, branch, ancestor, descendant) => {
    const dir = cloneDirOf(deps.cacheDir, repoURL);
    if (!existsSync(dir)) return false;
    const context = { operation: 'merge-base', repo: repoURL };
    const known = async (sha: string) => deps.git.run(dir, ['cat-file', '-e', `${sha}^{commit}`], context).then(() => true, () => false);
    if (!(await known(descendant))) {
      await deps.git.run(dir, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], { operation: 'fetch', repo: repoURL }).catch(() => undefined);
      if (!(await known(descendant))) return false;
    }
    return deps.git.run(dir, ['merge-base', '--is-ancestor', ancestor, descendant], context).then(() => true, () => false);
  };
}
