import { execFile } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';
import { classifyGitError } from './git-errors.ts';
import { defaultGitProtocols } from './transport.ts';

/**
 * Environment every git process gets (renovate's lib/util/git habits): never prompt, C locale so error
 * messages are the English ones we classify, batch-mode SSH so a missing key fails instead of hanging.
 */
export const baseGitEnv: Readonly<Record<string, string>> = {
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
  GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  GIT_CONFIG_NOSYSTEM: '1',
  // Transports git may use, whatever a URL, a redirect, a submodule or a config rewrite asks for: never ext::
  // (runs a command), fd::, plain http or local paths (a Repository may add file; see allowedGitProtocols).
  GIT_ALLOW_PROTOCOL: defaultGitProtocols.join(':'),
};

/** Guarded GIT_* variables we set on purpose; simple-git v4 refuses any other. */
const allowedGitVariables = [
  'GIT_TERMINAL_PROMPT', 'GIT_SSH_COMMAND', 'GIT_CONFIG_NOSYSTEM', 'GIT_INDEX_FILE', 'GIT_WORK_TREE',
  'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0', 'GIT_CONFIG_KEY_1', 'GIT_CONFIG_VALUE_1',
  'GIT_ASKPASS', 'GIT_ALLOW_PROTOCOL', 'LC_ALL',
];

export interface GitClient {
  /** Runs `git <args>`; a failure is classified into ExternalServiceError or UnrecoverableError. */
  run(args: string[], context: { operation: string; repo: string }): Promise<string>;
  /** Runs `git <args>` and reports whether it exited 0 (for probes such as `cat-file -e`). */
  succeeds(args: string[]): Promise<boolean>;
}

export interface GitClientOptions {
  baseDir: string;
  /** Extra environment for this client (credentials, index file); merged over baseGitEnv. */
  env?: Record<string, string>;
  /** GIT_ALLOW_PROTOCOL for this client (default `https:ssh:git`); see allowedGitProtocols. */
  allowProtocols?: string;
  /** Kill a git process that shows no output for this long (default 120 s). */
  timeoutMs?: number;
}

/** The one place Tidewater's renderer wraps simple-git. */
export function createGitClient(options: GitClientOptions): GitClient {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...baseGitEnv,
    ...options.env,
    GIT_ALLOW_PROTOCOL: options.allowProtocols ?? baseGitEnv.GIT_ALLOW_PROTOCOL,
  };
  const git: SimpleGit = simpleGit({
    baseDir: options.baseDir,
    timeout: { block: options.timeoutMs ?? 120_000 },
    allowEnvironment: allowedGitVariables,
    // Each is needed and only ever fed values this service builds: credentials via GIT_CONFIG_*, SSH keys,
    // and --work-tree for checking a commit out of a bare mirror into a job's private directory.
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true, allowUnsafeAskPass: true, allowUnsafeConfigPaths: true },
  }).env(env);

  // simple-git waits a fixed 50 ms after any command that prints nothing (its completion plugin), which is
  // most local plumbing (cat-file -e, checkout into a work tree, merge-base). Those run directly; commands that
  // reach the network keep simple-git's timeout and abort handling.
  const local = (args: string[]) => new Promise<string>((resolveGit, reject) => {
    execFile('git', args, { cwd: options.baseDir, env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(new Error(String(stderr || error.message).trim()), { exitCode: error.code }));
      else resolveGit(stdout);
    });
  });
  const runner = (args: string[]) => (reachesNetwork(args) ? git.raw(args) : local(args));

  return {
    async run(args, context) {
      try {
        return await runner(args);
      } catch (error) {
        throw classifyGitError(error, context);
      }
    },
    async succeeds(args) {
      try {
        await runner(args);
        return true;
      } catch {
        return false;
      }
    },
  };
}

const networkCommands = new Set(['fetch', 'clone', 'ls-remote', 'pull', 'push']);

/** The first git sub-command in `args` (after global options such as `--work-tree x`), and whether it goes online. */
function reachesNetwork(args: string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--work-tree' || arg === '--git-dir' || arg === '-C' || arg === '-c') { i++; continue; }
    if (arg.startsWith('-')) continue;
    return networkCommands.has(arg);
  }
  return false;
}
