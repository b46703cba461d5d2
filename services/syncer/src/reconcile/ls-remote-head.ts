import { execFile } from 'node:child_process';
import type { ArgoApplication } from '@tidewater/config';
import { ExternalServiceError } from '../errors/external-service-error.ts';

export interface LsRemoteOptions {
  /** Per call (default 20 s). */
  timeoutMs?: number;
  gitPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** `https://user:token@host/x` → `https://***@host/x`: URLs in messages never carry credentials. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]+@/i, '$1***@');
}

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
 * The default `resolveHead` for the reconcile loop: `git ls-remote` of the application's repository for its
 * targetRevision (branch, tag or HEAD; a full commit SHA is returned as it is). Never prompts for credentials.
 * Private repositories need git credentials in the environment of whichever service runs this (the renderer
 * holds Git read access; `tide all` runs both in one process).
 */
export function createLsRemoteHeadResolver(options: LsRemoteOptions = {}): (application: ArgoApplication) => Promise<string> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const env = {
    ...(options.env ?? process.env),
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=10',
    LC_ALL: 'C',
  };
  return async (application) => {
    const { repoURL, targetRevision = 'HEAD' } = application.spec.source;
    if (/^[0-9a-f]{40}$/i.test(targetRevision)) return targetRevision.toLowerCase();
    const refs = targetRevision === '' || targetRevision === 'HEAD'
      ? ['HEAD']
      : [`refs/heads/${targetRevision}`, `refs/tags/${targetRevision}`, `refs/tags/${targetRevision}^{}`];
    const output = await new Promise<string>((resolveOutput, reject) => {
      execFile(options.gitPath ?? 'git', ['ls-remote', '--', repoURL, ...refs], { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
        if (error) {
          const detail = (stderr || error.message).trim().split('\n').slice(-1)[0] ?? '';
          reject(new ExternalServiceError(`git ${redactUrl(repoURL)}`, `git ls-remote ${redactUrl(repoURL)} failed: ${redactUrl(detail)}`, { cause: error }));
          return;
        }
        resolveOutput(stdout);
      });
    });
    const revision = pickRevision(output, targetRevision);
    if (!revision) throw new Error(`${redactUrl(repoURL)} has no branch or tag ${targetRevision}`);
    return revision;
  };
}
