import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ImageUpdateError } from '../errors/promoter-errors.ts';
import type { PromoterGit } from './promoter-git.ts';

export interface WorkingCopy {
  dir: string;
  /** Reads a repository file (undefined when absent or not a file); refuses paths leaving the repository and symlinks. */
  read(file: string): string | undefined;
  write(file: string, text: string): void;
  /** YAML files under a repository directory (no symlinks followed, `.git` skipped), repository-relative. */
  yamlFiles(directory: string): string[];
}

/** A repository-relative path resolved inside `root`, never through a symlink (repository content is untrusted). */
export function safeRepositoryPath(root: string, file: string): string {
  if (file.includes('\0')) throw new ImageUpdateError(`${file}: not a repository path`);
  const target = resolve(root, file);
  const inside = relative(root, target);
  if (inside === '' || inside.startsWith('..') || inside.split(sep).includes('..')) throw new ImageUpdateError(`${file} is outside the repository`);
  // Every existing component must be a real directory/file inside the repository, not a link out of it.
  let current = root;
  for (const part of inside.split(sep)) {
    current = join(current, part);
    if (!existsSync(current)) break;
    if (lstatSync(current).isSymbolicLink()) throw new ImageUpdateError(`${file} goes through a symbolic link: refusing to write through it`);
  }
  const realRoot = realpathSync(root);
  const parent = existsSync(dirname(target)) ? realpathSync(dirname(target)) : realRoot;
  if (parent !== realRoot && !parent.startsWith(realRoot + sep)) throw new ImageUpdateError(`${file} is outside the repository`);
  return target;
}

/** The private clone of a repository under `cacheDir` (one directory per repository URL). */
export function cloneDirOf(cacheDir: string, repoUrl: string): string {
  return join(cacheDir, createHash('sha256').update(repoUrl).digest('hex').slice(0, 24));
}

/**
 * A private clone per repository under `cacheDir`, reset to the remote branch before each use (the caller holds the
 * repository lock). The first use clones; later ones fetch one branch.
 */
export async function checkoutBranch(deps: {
  git: PromoterGit; cacheDir: string; repoUrl: string; branch: string; baseBranch?: string; signal?: AbortSignal;
  /** A branch missing on the remote starts as an empty orphan (Kargo's git-clone `create: true`) instead of failing. */
  orphanWhenMissing?: boolean;
}): Promise<WorkingCopy> {
  const { git, repoUrl, signal } = deps;
  const dir = cloneDirOf(deps.cacheDir, repoUrl);
  const context = (operation: string) => ({ operation, repo: repoUrl });
  if (!existsSync(join(dir, '.git'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await git.run(dir, ['init', '--quiet'], context('init'), signal);
    await git.run(dir, ['remote', 'add', 'origin', '--', repoUrl], context('init'), signal);
  }
  const base = deps.baseBranch ?? deps.branch;
  // The write branch when it exists, else the base it starts from.
  let startRef = `refs/remotes/origin/${base}`;
  if (deps.orphanWhenMissing && base === deps.branch && !(await git.run(dir, ['ls-remote', '--heads', 'origin', `refs/heads/${base}`], context('ls-remote'), signal)).trim()) {
    // An unborn branch with an empty index and tree: the first commit is a root commit, pushed as the new branch.
    await git.run(dir, ['update-ref', '-d', 'refs/heads/tidewater-orphan'], context('checkout'), signal);
    await git.run(dir, ['symbolic-ref', 'HEAD', 'refs/heads/tidewater-orphan'], context('checkout'), signal);
    await git.run(dir, ['read-tree', '--empty'], context('checkout'), signal);
    await git.run(dir, ['clean', '--quiet', '-fdx'], context('checkout'), signal);
    return workingCopyAt(dir);
  }
  await git.run(dir, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${base}:refs/remotes/origin/${base}`], context('fetch'), signal);
  if (base !== deps.branch) {
    try {
      await git.run(dir, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${deps.branch}:refs/remotes/origin/${deps.branch}`], context('fetch'), signal);
      startRef = `refs/remotes/origin/${deps.branch}`;
    } catch {
      // The write branch does not exist yet: it starts at the base.
    }
    if (startRef !== `refs/remotes/origin/${base}`) {
      try {
        // A write branch already merged into the base (its tip is in the base's history) starts again from the base,
        // so the next change sees what happened there since; pushing the base's descendant stays a fast-forward.
        await git.run(dir, ['merge-base', '--is-ancestor', startRef, `refs/remotes/origin/${base}`], context('merge-base'), signal);
        startRef = `refs/remotes/origin/${base}`;
      } catch {
        // Not merged (or not comparable): keep building on the write branch.
      }
    }
  }
  await git.run(dir, ['checkout', '--quiet', '--force', '-B', 'tidewater-write-back', startRef], context('checkout'), signal);
  await git.run(dir, ['clean', '--quiet', '-fdx'], context('checkout'), signal);
  return workingCopyAt(dir);
}

function workingCopyAt(dir: string): WorkingCopy {
  return {
    dir,
    read(file) {
      const path = safeRepositoryPath(dir, file);
      return existsSync(path) && lstatSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
    },
    write(file, text) {
      const path = safeRepositoryPath(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    yamlFiles(directory) {
      const start = directory === '' || directory === '.' ? dir : safeRepositoryPath(dir, directory);
      const found: string[] = [];
      const walk = (current: string) => {
        for (const entry of readdirSync(current, { withFileTypes: true })) {
          if (entry.name === '.git' || entry.isSymbolicLink()) continue;
          const path = join(current, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) found.push(relative(dir, path));
        }
      };
      if (existsSync(start) && lstatSync(start).isDirectory()) walk(start);
      return found.sort();
    },
  };
}
