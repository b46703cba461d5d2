import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigDir } from './load-dir.ts';
import { loadConfigFromGit, type GitConfigSource } from './load-git.ts';
import type { TidewaterConfig } from './build-config.ts';

/**
 * Where the configuration comes from, as one string (`TIDEWATER_CONFIG`): a directory, or a path in a Git
 * repository written like Terraform/Kustomize remote sources, for app-of-apps set-ups:
 *   `git::https://git.example.com/platform/gitops.git//tidewater?ref=main`
 * (`//path` defaults to the repository root, `ref` to HEAD).
 */
export function parseConfigSource(source: string): { kind: 'dir'; dir: string } | { kind: 'git'; git: GitConfigSource } {
  if (!source.startsWith('git::')) return { kind: 'dir', dir: source };
  const rest = source.slice('git::'.length);
  const [location, query = ''] = rest.split('?', 2);
  const schemeEnd = location.indexOf('://');
  const pathStart = location.indexOf('//', schemeEnd >= 0 ? schemeEnd + 3 : 0);
  const url = pathStart >= 0 ? location.slice(0, pathStart) : location;
  const path = pathStart >= 0 ? location.slice(pathStart + 2) : '.';
  const revision = new URLSearchParams(query).get('ref') ?? 'HEAD';
  return { kind: 'git', git: { url, path: path || '.', revision } };
}

/** Loads the configuration from a directory or a Git path (see parseConfigSource). */
export async function loadConfigSource(source: string, workDir = join(tmpdir(), 'tidewater-config')): Promise<TidewaterConfig> {
  const parsed = parseConfigSource(source);
  if (parsed.kind === 'dir') return loadConfigDir(parsed.dir);
  return loadConfigFromGit(parsed.git, workDir);
}
