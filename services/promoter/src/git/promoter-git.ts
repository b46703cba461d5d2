import { execFile } from 'node:child_process';
import { ExternalServiceError, ImageUpdateError } from '../errors/promoter-errors.ts';

/** Environment of every git process (renovate's habits): never prompt, C locale for classifiable errors, batch SSH. */
const baseGitEnv: Readonly<Record<string, string>> = {
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
  GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** A push refused because the branch moved on: fetch, re-apply, push again. */
export class NonFastForwardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFastForwardError';
  }
}

export interface PromoterGit {
  /** Runs `git <args>` in `cwd`; failures are classified (network → ExternalServiceError, rejected push → NonFastForwardError). */
  run(cwd: string, args: string[], context: { operation: string; repo: string }, signal?: AbortSignal): Promise<string>;
}

export interface PromoterGitOptions {
  /** Git write credentials for a repository URL (the promoter's alone), sent as an HTTP Authorization header. */
  credentials?: (repoUrl: string) => { username: string; password: string } | undefined;
  timeoutMs?: number;
}

/** The promoter's git wrapper: the only place it runs git, with write credentials passed per command, never stored. */
export function createPromoterGit(options: PromoterGitOptions = {}): PromoterGit {
  return {
    run(cwd, args, context, signal) {
      const credentials = options.credentials?.(context.repo);
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...baseGitEnv,
        ...(credentials && /^https?:/.test(context.repo) ? {
          GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader',
          GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
        } : {}),
      };
      return new Promise((resolveGit, reject) => {
        execFile('git', args, { cwd, env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) }, (error, stdout, stderr) => {
          if (!error) {
            resolveGit(stdout.trim());
            return;
          }
          const text = String(stderr || error.message);
          if (/\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref/.test(text)) {
            reject(new NonFastForwardError(`${context.operation} to ${context.repo} was rejected: the branch moved`));
          } else if (/could not read from remote|unable to access|connection|timed out|early EOF|Could not resolve host|remote end hung up/i.test(text) || error.killed) {
            reject(new ExternalServiceError(`${context.operation} of ${context.repo} failed: the git server could not be reached`, { cause: error }));
          } else {
            // The first line of git's message names what failed; credentials are never in argv or messages.
            reject(new ImageUpdateError(`${context.operation} of ${context.repo} failed: ${text.split('\n').find((line) => line.trim())?.trim().slice(0, 200) ?? 'git error'}`));
          }
        });
      });
    },
  };
}
