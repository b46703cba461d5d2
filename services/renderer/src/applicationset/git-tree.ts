import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GitTree, Repository } from '@tidewater/config';
import type { Logger } from '@tidewater/telemetry';
import { permanent } from '../errors/permanent.ts';
import { gitCredentialEnv, repositoryFor } from '../git/credentials.ts';
import { createGitClient } from '../git/git-client.ts';
import { checkoutCommit } from '../git/mirror.ts';

const commitSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

export interface GitTreeReaderDeps {
  cacheDir: string;
  repositories: () => readonly Repository[];
  logger: Logger;
}

export interface GitTreeReader {
  /** The commit `ref` (a branch, tag, HEAD or a SHA) names in the repository now. */
  resolve(repoURL: string, ref: string): Promise<string>;
  /** The tree at a commit: every directory and file (symlinks are left out), file contents read on demand. */
  read(repoURL: string, commit: string): Promise<GitTree>;
}

/** Reads repositories for git generators through the renderer's bare mirror cache and Git credentials. */
export function createGitTreeReader(deps: GitTreeReaderDeps): GitTreeReader {
  const scratchRoot = join(deps.cacheDir, 'work');
  const withCredentials = async <T>(repoURL: string, use: (env: Record<string, string>, scratchDir: string) => Promise<T>): Promise<T> => {
    mkdirSync(scratchRoot, { recursive: true });
    const scratchDir = mkdtempSync(join(scratchRoot, 'appset-'));
    const credentials = gitCredentialEnv(repositoryFor(deps.repositories(), repoURL), repoURL, scratchDir);
    try {
      return await use(credentials.env, scratchDir);
    } finally {
      credentials.dispose();
      rmSync(scratchDir, { recursive: true, force: true });
    }
  };
  return {
    async resolve(repoURL, ref) {
      if (commitSha.test(ref)) return ref;
      if (repoURL.startsWith('-') || ref.startsWith('-')) throw permanent('repository URL and revision must not start with "-"');
      return withCredentials(repoURL, async (env, scratchDir) => {
        const git = createGitClient({ baseDir: scratchDir, env });
        const wanted = ref === 'HEAD' || ref === '' ? ['HEAD'] : [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`];
        const output = await git.run(['ls-remote', repoURL, ...wanted], { operation: 'ls-remote', repo: repoURL });
        const lines = output.split('\n').filter(Boolean).map((line) => line.split('\t'));
        for (const name of wanted) {
          const found = lines.find(([, refName]) => refName === name);
          if (found) return found[0];
        }
        throw permanent(`revision ${ref} does not exist in ${repoURL}`);
      });
    },
    async read(repoURL, commit) {
      return withCredentials(repoURL, async (credentialEnv, scratchDir) => {
        const targetDir = join(scratchDir, 'tree');
        mkdirSync(targetDir);
        await checkoutCommit({ cacheDir: deps.cacheDir, repoURL, revision: commit, targetDir, scratchDir, credentialEnv, logger: deps.logger });
        const directories: string[] = [];
        const files: string[] = [];
        const contents = new Map<string, string>();
        const walk = (relative: string) => {
          for (const entry of readdirSync(join(targetDir, relative), { withFileTypes: true })) {
            const path = relative ? `${relative}/${entry.name}` : entry.name;
            if (entry.isDirectory()) {
              if (entry.name === '.git') continue;
              directories.push(path);
              walk(path);
            } else if (entry.isFile()) files.push(path);
          }
        };
        walk('');
        // The tree goes away with the scratch dir, so contents the generator may read are kept (small files only).
        for (const file of files) {
          if (!/\.(json|ya?ml)$/i.test(file)) continue;
          const full = join(targetDir, file);
          if (lstatSync(full).size <= 1024 * 1024) contents.set(file, readFileSync(full, 'utf8'));
        }
        directories.sort();
        files.sort();
        return {
          directories,
          files,
          read(path: string) {
            const text = contents.get(path);
            if (text === undefined) throw new Error(`${path} is not a JSON or YAML file of at most 1 MiB`);
            return text;
          },
        };
      });
    },
  };
}
