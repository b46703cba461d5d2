import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, posix, resolve, sep } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { TidewaterConfig } from './build-config.ts';
import { ConfigError, ConfigLoadError } from './errors.ts';
import { loadConfigDir } from './load-dir.ts';

export interface GitConfigSource {
  /** Repository URL (any form git accepts). */
  url: string;
  /** Branch, tag, full commit SHA or `HEAD`. */
  revision: string;
  /** Folder inside the repository holding the configuration (app-of-apps); `.` for the root. */
  path: string;
}

/** Fetching the configuration repository failed. `retryable` is false when retrying cannot help (unknown ref, auth). */
export class ConfigSourceError extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = 'ConfigSourceError';
    this.retryable = retryable;
  }
}

/**
 * Shallow-fetches `revision` of the repository into a fresh directory under `workDir`, loads the
 * configuration at `path` (file names in errors are shown relative to the repository root) and removes
 * the checkout. Resolves to the configuration and the commit it was read from.
 */
export async function loadConfigFromGit(source: GitConfigSource, workDir: string): Promise<TidewaterConfig & { commit: string }> {
  const configPath = posix.normalize(source.path.replaceAll('\\', '/') || '.').replace(/\/+$/, '') || '.';
  if (configPath.startsWith('/') || configPath === '..' || configPath.startsWith('../')) {
    throw new ConfigLoadError([new ConfigError({ file: source.path, documentIndex: 0, field: '' }, 'configuration path must stay inside the repository')]);
  }
  if (source.url.startsWith('-') || source.revision.startsWith('-')) {
    throw new ConfigSourceError('repository URL and revision must not start with "-"', false);
  }
  await mkdir(workDir, { recursive: true });
  const checkoutDir = await mkdtemp(join(workDir, 'config-'));
  try {
    const commit = await checkout(source, checkoutDir);
    const configDir = resolve(checkoutDir, configPath);
    if (!(configDir === checkoutDir || configDir.startsWith(checkoutDir + sep))) {
      throw new ConfigSourceError('configuration path must stay inside the repository', false);
    }
    const found = await stat(configDir).catch(() => undefined);
    if (!found?.isDirectory()) {
      throw new ConfigLoadError([
        new ConfigError({ file: configPath, documentIndex: 0, field: '' }, `directory does not exist at revision ${source.revision} (${commit})`),
      ]);
    }
    const config = await loadConfigDir(configDir, { displayPrefix: configPath === '.' ? undefined : configPath });
    return { ...config, commit };
  } finally {
    await rm(checkoutDir, { recursive: true, force: true });
  }
}

/**
 * The commit the configuration source's revision points at now (`git ls-remote`), without fetching anything: how a
 * poll notices a change of the `git::` source. A full commit SHA is answered as it is.
 */
export async function configSourceHead(source: GitConfigSource): Promise<string> {
  if (/^[0-9a-f]{40}$/i.test(source.revision)) return source.revision.toLowerCase();
  if (source.url.startsWith('-') || source.revision.startsWith('-')) {
    throw new ConfigSourceError('repository URL and revision must not start with "-"', false);
  }
  const git: SimpleGit = simpleGit({ allowEnvironment: allowedGitEnvironment, unsafe: { allowUnsafeSshCommand: true } }).env(gitEnvironment());
  const where = `${redactCredentials(source.url)} at ${source.revision}`;
  const refs = source.revision === 'HEAD' ? ['HEAD'] : [`refs/heads/${source.revision}`, `refs/tags/${source.revision}^{}`, `refs/tags/${source.revision}`];
  let output: string;
  try {
    output = await git.listRemote(['--', source.url, ...refs]);
  } catch (error) {
    const detail = redactCredentials(firstLine(error instanceof Error ? error.message : String(error)));
    throw new ConfigSourceError(`asking ${where} for its head failed: ${detail}`, isTransient(detail));
  }
  const byRef = new Map(output.split('\n').map((line) => line.trim().split(/\s+/)).filter((parts) => parts.length === 2).map(([sha, ref]) => [ref, sha]));
  const commit = refs.map((ref) => byRef.get(ref)).find(Boolean);
  if (!commit) throw new ConfigSourceError(`${where}: no such branch or tag`, false);
  return commit;
}

async function checkout(source: GitConfigSource, dir: string): Promise<string> {
  const git: SimpleGit = simpleGit({
    baseDir: dir,
    allowEnvironment: allowedGitEnvironment,
    // The SSH command is ours (batch mode: fail instead of prompting) or the operator's, never from configuration.
    unsafe: { allowUnsafeSshCommand: true },
  }).env(gitEnvironment());
  const where = `${redactCredentials(source.url)} at ${source.revision}`;
  try {
    await git.init();
    await git.addRemote('origin', source.url);
    try {
      await git.fetch(['--depth=1', 'origin', source.revision]);
      await git.raw(['checkout', '--quiet', '--detach', 'FETCH_HEAD']);
    } catch (shallowError) {
      // Servers that refuse to serve a commit by id (uploadpack.allowReachableSHA1InWant off) need a full fetch.
      if (!/^[0-9a-f]{7,64}$/i.test(source.revision)) throw shallowError;
      await git.fetch(['origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']);
      await git.raw(['checkout', '--quiet', '--detach', source.revision]);
    }
    return (await git.revparse(['HEAD'])).trim();
  } catch (error) {
    const detail = redactCredentials(firstLine(error instanceof Error ? error.message : String(error)));
    // No `cause`: git's own message can carry the URL with its credentials.
    throw new ConfigSourceError(`fetching configuration from ${where} failed: ${detail}`, isTransient(detail));
  }
}

// Only what git needs reaches it: not the service's secrets, and nothing simple-git's guard would refuse
// (EDITOR, PAGER, GIT_CONFIG_*, ...). Proxy and CA settings pass so fetches work behind a corporate proxy.
const allowedGitEnvironment = ['GIT_TERMINAL_PROMPT', 'GIT_SSH_COMMAND', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH'] as const;
const passedEnvironment = [
  ...allowedGitEnvironment,
  'PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
];

function gitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of passedEnvironment) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, GIT_TERMINAL_PROMPT: '0', GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes', LC_ALL: 'C.UTF-8' };
}

const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'git failed';

const redactCredentials = (text: string) => text.replace(/(\/\/)[^/@\s]+@/g, '$1***@');

function isTransient(detail: string): boolean {
  return !/couldn't find remote ref|does not appear to be a git repository|not our ref|did not match any|not a valid|does not exist|not found|authentication failed|permission denied|could not read username/i.test(detail);
}
