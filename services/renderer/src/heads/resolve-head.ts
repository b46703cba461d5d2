import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from '@tidewater/config';
import { permanent } from '../errors/permanent.ts';
import { gitCredentialEnv, repositoryFor } from '../git/credentials.ts';
import { createGitClient } from '../git/git-client.ts';
import { redactUrlCredentials } from '../git/git-errors.ts';

/** The commit a ref resolves to in `git ls-remote` output (a peeled tag `^{}` wins over the tag object). */
export function pickRevision(output: string, targetRevision: string): string | undefined {
  const refs = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [sha, ref] = line.trim().split(/\s+/);
    if (sha && ref) refs.set(ref, sha);
  }
  const wanted = targetRevision === '' || targetRevision === 'HEAD'
    ? ['HEAD']
    : [`refs/heads/${targetRevision}`, `refs/tags/${targetRevision}^{}`, `refs/tags/${targetRevision}`, targetRevision];
  for (const ref of wanted) {
    const sha = refs.get(ref);
    if (sha) return sha;
  }
  return undefined;
}

/**
 * The commit `targetRevision` (branch, tag or HEAD) of a repository points at now, by `git ls-remote` with the
 * renderer's read credentials for that repository; a full commit SHA is answered as it is. A ref the repository
 * does not have is a permanent failure; network trouble is ExternalServiceError (classified by the git client).
 */
export async function resolveHead(
  request: { repoURL: string; targetRevision: string },
  deps: { repositories: readonly Repository[]; cacheDir: string; timeoutMs?: number },
): Promise<string> {
  const { repoURL } = request;
  const targetRevision = request.targetRevision || 'HEAD';
  if (/^[0-9a-f]{40}$/i.test(targetRevision)) return targetRevision.toLowerCase();
  if (repoURL.startsWith('-') || targetRevision.startsWith('-')) throw permanent('repository URL and revision must not start with "-"');
  mkdirSync(join(deps.cacheDir, 'work'), { recursive: true });
  const scratchDir = mkdtempSync(join(deps.cacheDir, 'work', 'heads-'));
  const credentials = gitCredentialEnv(repositoryFor(deps.repositories, repoURL), repoURL, scratchDir);
  try {
    const git = createGitClient({ baseDir: scratchDir, env: credentials.env, timeoutMs: deps.timeoutMs ?? 20_000 });
    const refs = targetRevision === 'HEAD' ? ['HEAD'] : [`refs/heads/${targetRevision}`, `refs/tags/${targetRevision}`, `refs/tags/${targetRevision}^{}`];
    const output = await git.run(['ls-remote', '--', repoURL, ...refs], { operation: 'ls-remote', repo: redactUrlCredentials(repoURL) });
    const revision = pickRevision(output, targetRevision);
    if (!revision) throw permanent(`${redactUrlCredentials(repoURL)} has no branch or tag ${targetRevision}`);
    return revision;
  } finally {
    credentials.dispose();
    rmSync(scratchDir, { recursive: true, force: true });
  }
}
