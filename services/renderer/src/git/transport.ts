import type { Repository } from '@tidewater/config';
import { permanent } from '../errors/permanent.ts';

/** How git would reach a repository URL: its transport, and the host (with a non-default port) when it has one. */
export interface GitLocation {
  /** `https`, `http`, `ssh`, `git`, `file`, or a transport helper such as `ext` or `fd`. */
  transport: string;
  /** Lower-cased `host` or `host:port` (default ports dropped); undefined for local paths. */
  host?: string;
}

/** Transports git may use for every repository (git:// is the test harness' git daemon and read-only mirrors). */
export const defaultGitProtocols = ['https', 'ssh', 'git'] as const;

const defaultPorts: Record<string, string> = { https: '443', http: '80', ssh: '22', git: '9418' };

/**
 * Where git would go for `url`, parsed the way git does: `scheme://` URLs, `helper::address` transport helpers
 * (`ext::`, `fd::`), scp-like `[user@]host:path` (ssh), and anything else is a local path.
 */
export function gitLocationOf(url: string): GitLocation {
  const trimmed = url.trim();
  const helper = /^([a-z][a-z0-9+.-]*)::/i.exec(trimmed);
  if (helper) return { transport: helper[1].toLowerCase() };
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(trimmed);
  if (withScheme) {
    const scheme = withScheme[1].toLowerCase();
    const transport = scheme === 'git+ssh' || scheme === 'ssh+git' ? 'ssh' : scheme;
    if (transport === 'file') return { transport };
    return { transport, host: hostOf(withScheme[2], transport) };
  }
  // scp-like syntax: git treats `host:path` as ssh when no slash comes before the colon.
  const scpLike = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^:/]+):/.exec(trimmed);
  if (scpLike) return { transport: 'ssh', host: scpLike[1].toLowerCase() };
  return { transport: 'file' };
}

function hostOf(authority: string, transport: string): string {
  const hostAndPort = authority.replace(/^.*@/, '').toLowerCase();
  const port = /:(\d+)$/.exec(hostAndPort)?.[1];
  return port !== undefined && defaultPorts[transport] === port ? hostAndPort.slice(0, -(port.length + 1)) : hostAndPort;
}

/** The GIT_ALLOW_PROTOCOL value for a repository: https, ssh and git, plus file when the Repository allows it. */
export function allowedGitProtocols(repository: Repository | undefined): string {
  const protocols: string[] = [...defaultGitProtocols];
  if (repository?.spec.allowLocalTransport) protocols.push('file');
  return protocols.join(':');
}

/**
 * Refuses, before git runs, a repository URL whose transport is not allowed: plain `http://` (credentials and
 * content in clear), transport helpers (`ext::` runs a command, `fd::`), and `file://` or local paths unless
 * the Repository sets `allowLocalTransport`. GIT_ALLOW_PROTOCOL enforces the same inside git.
 */
export function assertTransportAllowed(repoURL: string, repository: Repository | undefined): void {
  if (repoURL.trim().startsWith('-')) throw permanent(`repository URL ${JSON.stringify(repoURL)} must not start with "-"`);
  const { transport } = gitLocationOf(repoURL);
  if ((defaultGitProtocols as readonly string[]).includes(transport)) return;
  if (transport === 'file') {
    if (repository?.spec.allowLocalTransport) return;
    const hint = repository
      ? `set spec.allowLocalTransport: true on Repository ${repository.metadata.name} to allow it`
      : 'add a Repository document for it with spec.allowLocalTransport: true to allow it';
    throw permanent(`repository ${repoURL} is a local path or file:// URL, which the renderer does not fetch by default; ${hint}`);
  }
  if (transport === 'http') {
    throw permanent(`repository ${repoURL} uses plain http://, which the renderer does not fetch; use https://`);
  }
  throw permanent(`repository ${repoURL} uses the git transport "${transport}", which the renderer does not allow (allowed: https, ssh, git)`);
}
