import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { globMatch, type GitTree, type Repository } from '@tidewater/config';
import type { Logger } from '@tidewater/telemetry';
import { permanent } from '../errors/permanent.ts';
import { gitCredentialEnv, repositoryFor } from '../git/credentials.ts';
import { baseGitEnv, createGitClient } from '../git/git-client.ts';
import { ensureCommitInMirror, mirrorPathFor } from '../git/mirror.ts';
import { allowedGitProtocols, assertTransportAllowed } from '../git/transport.ts';
import { withMirrorLock } from '../git/mirror-lock.ts';

const commitSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

export interface GitTreeReaderDeps {
  cacheDir: string;
  repositories: () => readonly Repository[];
  logger: Logger;
}

export interface GitTreeReader {
  /** The commit `ref` (a branch, tag, HEAD or a SHA) names in the repository now. */
  resolve(repoURL: string, ref: string): Promise<string>;
  /** The tree at a commit: every directory and file (symlinks left out); the files matching `filePatterns` are read. */
  read(repoURL: string, commit: string, filePatterns?: readonly string[]): Promise<GitTree>;
}

/** Reads repositories for git generators through the renderer's bare mirror cache and Git credentials. */
export function createGitTreeReader(deps: GitTreeReaderDeps): GitTreeReader {
  const scratchRoot = join(deps.cacheDir, 'work');
  const withCredentials = async <T>(repoURL: string, use: (env: Record<string, string>, scratchDir: string, allowProtocols: string) => Promise<T>): Promise<T> => {
    // The same transport pin as a render: file://, local paths and ext:: only where the Repository allows them.
    const repository = repositoryFor(deps.repositories(), repoURL);
    assertTransportAllowed(repoURL, repository);
    const allowProtocols = allowedGitProtocols(repository);
    mkdirSync(scratchRoot, { recursive: true });
    const scratchDir = mkdtempSync(join(scratchRoot, 'appset-'));
    const credentials = gitCredentialEnv(repository, repoURL, scratchDir);
    try {
      return await use(credentials.env, scratchDir, allowProtocols);
    } finally {
      credentials.dispose();
      rmSync(scratchDir, { recursive: true, force: true });
    }
  };
  return {
    async resolve(repoURL, ref) {
      if (commitSha.test(ref)) return ref;
      if (repoURL.startsWith('-') || ref.startsWith('-')) throw permanent('repository URL and revision must not start with "-"');
      return withCredentials(repoURL, async (env, scratchDir, allowProtocols) => {
        const git = createGitClient({ baseDir: scratchDir, env, allowProtocols });
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
    async read(repoURL, commit, filePatterns = []) {
      if (!commitSha.test(commit)) throw permanent(`revision ${JSON.stringify(commit)} is not a full commit SHA`);
      const mirrorDir = mirrorPathFor(deps.cacheDir, repoURL);
      return withCredentials(repoURL, (credentialEnv, scratchDir, allowProtocols) => withMirrorLock(mirrorDir, async () => {
        await ensureCommitInMirror(mirrorDir, { cacheDir: deps.cacheDir, repoURL, revision: commit, scratchDir, credentialEnv, allowProtocols, logger: deps.logger });
        // The tree straight from the mirror: no checkout of files the generator does not read.
        const listing = await createGitClient({ baseDir: mirrorDir }).run(['ls-tree', '-r', '-t', '-z', '--full-tree', commit], { operation: 'ls-tree', repo: repoURL });
        const directories: string[] = [];
        const files: string[] = [];
        const blobs = new Map<string, string>();
        for (const entry of listing.split('\0')) {
          if (!entry) continue;
          const tab = entry.indexOf('\t');
          const [mode, type, sha] = entry.slice(0, tab).split(' ');
          const path = entry.slice(tab + 1);
          if (type === 'tree') directories.push(path);
          else if (type === 'blob' && mode !== '120000') {
            files.push(path);
            if (filePatterns.some((pattern) => globMatch(pattern, path, { separators: '/', negation: false }))) blobs.set(path, sha);
          }
        }
        const contents = await readBlobs(mirrorDir, [...blobs.values()]);
        directories.sort();
        files.sort();
        return {
          directories,
          files,
          read(path: string) {
            const text = contents.get(blobs.get(path) ?? '');
            if (text === undefined) throw new Error(`${path} is not a file of at most 1 MiB that a files generator matches`);
            return text;
          },
        };
      }));
    },
  };
}

const maxFileBytes = 1024 * 1024;

/** Blob contents by id, through one `git cat-file --batch` (a generator may read hundreds of files). */
function readBlobs(mirrorDir: string, ids: readonly string[]): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  if (ids.length === 0) return Promise.resolve(contents);
  return new Promise((resolveBlobs, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: mirrorDir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...baseGitEnv } });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file exited with ${code}`));
      const output = Buffer.concat(chunks);
      let offset = 0;
      for (const id of ids) {
        const newline = output.indexOf(10, offset);
        const [, , size] = output.subarray(offset, newline).toString().split(' ');
        const length = Number(size);
        offset = newline + 1;
        if (length <= maxFileBytes) contents.set(id, output.subarray(offset, offset + length).toString('utf8'));
        offset += length + 1;
      }
      resolveBlobs(contents);
    });
    child.stdin.end(`${ids.join('\n')}\n`);
  });
}
