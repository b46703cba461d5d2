const defaultPorts: Record<string, string> = { https: '443', http: '80', ssh: '22', 'git+ssh': '22', 'ssh+git': '22' };

/**
 * One spelling for the https, http, ssh, scp-like (`git@host:org/repo.git`) and `git://` forms of a
 * repository, so webhooks, Applications and Repository documents compare equal: `github.com/org/repo`.
 * Drops the scheme, credentials, query, `.git`, trailing `/` and default ports (443, 80, 22; a `git://`
 * port is kept, e.g. `127.0.0.1:9418/org/repo`). Lower-cased throughout, like Argo CD's NormalizeGitURL,
 * so URLs copied from provider payloads with different letter case still match.
 * Local paths and `file://` URLs become the absolute path. Glob characters pass through unchanged.
 */
export function normalizeRepoUrl(url: string): string {
  const trimmed = url.trim();
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(trimmed);
  if (withScheme) {
    const scheme = withScheme[1].toLowerCase();
    const path = withScheme[3];
    if (scheme === 'file') return cleanPath(path);
    const hostAndPort = withScheme[2].replace(/^.*@/, '');
    return cleanPath(`${stripDefaultPort(hostAndPort, scheme)}${path.startsWith('/') || path === '' ? path : `/${path}`}`);
  }
  // scp-like syntax: [user@]host:path, where the colon is not followed by a port and a slash.
  const scpLike = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^:/]+):(?!\d+(?:\/|$))(.*)$/.exec(trimmed);
  if (scpLike) return cleanPath(`${scpLike[1]}/${scpLike[2].replace(/^\/+/, '')}`);
  return cleanPath(trimmed.replace(/^[^@/]+@/, ''));
}

/** Whether two repository URLs name the same repository. */
export function sameRepo(left: string, right: string): boolean {
  return normalizeRepoUrl(left) === normalizeRepoUrl(right);
}

function stripDefaultPort(hostAndPort: string, scheme: string): string {
  const port = /:(\d+)$/.exec(hostAndPort)?.[1];
  return port !== undefined && defaultPorts[scheme] === port ? hostAndPort.slice(0, -(port.length + 1)) : hostAndPort;
}

function cleanPath(value: string): string {
  let cleaned = value.toLowerCase();
  for (;;) {
    const next = cleaned.replace(/\/+$/, '').replace(/\.git$/, '');
    if (next === cleaned) return cleaned;
    cleaned = next;
  }
}
