import type { Redis } from 'ioredis';
import { checkoutBranch, type WorkingCopy } from '../git/working-copy.ts';
import { NonFastForwardError, type PromoterGit } from '../git/promoter-git.ts';
import { withRepoLock } from '../git/repo-lock.ts';
import { ImageUpdateError } from '../errors/promoter-errors.ts';

/** What an edit decided, from the file as it is on the branch now. */
export type FileEdit =
  | { kind: 'write'; text: string; message: string }
  /** Several files at once (Flux setters under a path): repository-relative path → new text. */
  | { kind: 'write-files'; files: Record<string, string>; message: string }
  | { kind: 'skip'; reason: string };

export interface WriteBackRequest {
  repoUrl: string;
  branch: string;
  baseBranch?: string;
  /** A branch missing on the remote starts as an empty orphan (git-clone `create: true`). */
  orphanWhenMissing?: boolean;
  file: string;
  /** Decides from the file's current text (undefined: absent); called again after a rejected push, on the new head. */
  edit: (current: string | undefined, copy: WorkingCopy) => FileEdit | Promise<FileEdit>;
  author: { name: string; email: string };
  /**
   * A templated write branch (Image Updater's `base:{{…}}`): named after the edit, from the change it made; the checkout
   * is `branch` then. A branch of that name that already holds the change is left as it is.
   */
  pushBranch?: () => string;
}

export type WriteBackResult =
  | { kind: 'committed'; commit: string; attempts: number; branch: string }
  | { kind: 'unchanged'; reason: string };

/**
 * Serialised per repository and branch (a Redis lock across replicas): fetch, edit, commit only when the file changed,
 * push without force; a push rejected because the branch moved is retried on the new head (fetch, re-apply: a
 * rebase of this one-file change), at most `attempts` times.
 */
export async function writeBack(deps: { redis: Redis; git: PromoterGit; cacheDir: string; attempts?: number; signal?: AbortSignal }, request: WriteBackRequest): Promise<WriteBackResult> {
  const attempts = deps.attempts ?? 4;
  return withRepoLock(deps.redis, request.repoUrl, request.branch, async () => {
    for (let attempt = 1; ; attempt++) {
      const copy = await checkoutBranch({
        git: deps.git, cacheDir: deps.cacheDir, repoUrl: request.repoUrl, branch: request.branch,
        ...(request.baseBranch ? { baseBranch: request.baseBranch } : {}), ...(deps.signal ? { signal: deps.signal } : {}),
        ...(request.orphanWhenMissing ? { orphanWhenMissing: true } : {}),
      });
      const current = copy.read(request.file);
      const edit = await request.edit(current, copy);
      if (edit.kind === 'skip') return { kind: 'unchanged', reason: edit.reason };
      const files = edit.kind === 'write' ? { [request.file]: edit.text } : edit.files;
      const changed = Object.entries(files).filter(([file, text]) => copy.read(file) !== text);
      if (changed.length === 0) return { kind: 'unchanged', reason: `${request.file} already holds the change` };
      for (const [file, text] of changed) copy.write(file, text);
      const context = (operation: string) => ({ operation, repo: request.repoUrl });
      await deps.git.run(copy.dir, ['add', '--', ...changed.map(([file]) => file)], context('add'), deps.signal);
      await deps.git.run(copy.dir, [
        '-c', `user.name=${request.author.name}`, '-c', `user.email=${request.author.email}`,
        'commit', '--quiet', '--no-verify', '-m', edit.message,
      ], context('commit'), deps.signal);
      const commit = await deps.git.run(copy.dir, ['rev-parse', 'HEAD'], context('rev-parse'), deps.signal);
      const target = request.pushBranch ? request.pushBranch() : request.branch;
      if (request.pushBranch) {
        if (!validBranchName(target)) throw new ImageUpdateError(`${request.file}: the templated write branch renders to ${JSON.stringify(target)}, which is not a valid branch name`);
        if (await remoteBranchHolds(deps, copy.dir, request.repoUrl, target, changed.map(([file]) => file))) return { kind: 'unchanged', reason: `branch ${target} already holds the change` };
      }
      try {
        await deps.git.run(copy.dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${target}`], context('push'), deps.signal);
        return { kind: 'committed', commit, attempts: attempt, branch: target };
      } catch (error) {
        if (!(error instanceof NonFastForwardError)) throw error;
        if (attempt >= attempts) throw new ImageUpdateError(`${request.file}: push to ${request.branch} was rejected ${attempt} times (the branch keeps moving); nothing was force-pushed`, { cause: error });
      }
    }
  });
}

/** A branch name git accepts (`git check-ref-format --branch` rules that a template can break). */
function validBranchName(name: string): boolean {
  return name.length > 0 && !/(^[-/.])|([/.]$)|\.\.|\/\/|@\{|[\x00-\x20\x7f~^:?*[\\]|\.lock(\/|$)/.test(name) && name !== '@';
}

/** Whether a remote branch exists and already holds `files` as HEAD has them. */
async function remoteBranchHolds(deps: { git: PromoterGit; signal?: AbortSignal }, dir: string, repoUrl: string, branch: string, files: readonly string[]): Promise<boolean> {
  const ref = `refs/remotes/origin/${branch}`;
  try {
    await deps.git.run(dir, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${branch}:${ref}`], { operation: 'fetch', repo: repoUrl }, deps.signal);
  } catch {
    return false;
  }
  try {
    await deps.git.run(dir, ['diff', '--quiet', 'HEAD', ref, '--', ...files], { operation: 'diff', repo: repoUrl }, deps.signal);
    return true;
  } catch {
    return false;
  }
}
