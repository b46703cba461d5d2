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
  file: string;
  /** Decides from the file's current text (undefined: absent); called again after a rejected push, on the new head. */
  edit: (current: string | undefined, copy: WorkingCopy) => FileEdit | Promise<FileEdit>;
  author: { name: string; email: string };
}

export type WriteBackResult =
  | { kind: 'committed'; commit: string; attempts: number }
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
      try {
        await deps.git.run(copy.dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${request.branch}`], context('push'), deps.signal);
        return { kind: 'committed', commit, attempts: attempt };
      } catch (error) {
        if (!(error instanceof NonFastForwardError)) throw error;
        if (attempt >= attempts) throw new ImageUpdateError(`${request.file}: push to ${request.branch} was rejected ${attempt} times (the branch keeps moving); nothing was force-pushed`, { cause: error });
      }
    }
  });
}
