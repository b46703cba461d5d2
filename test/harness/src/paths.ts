import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from this file's location. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ToolVersions {
  NODE_VERSION: string;
  KUBERNETES_VERSION: string;
  ETCD_VERSION: string;
  KWOK_VERSION: string;
  HELM_VERSION: string;
  KUSTOMIZE_VERSION: string;
  SCHEMATHESIS_VERSION: string;
}

/** The versions scripts/setup builds, read from the one file both share. */
export function toolVersions(): ToolVersions {
  const text = readFileSync(join(repoRoot, 'test/cluster/versions.env'), 'utf8');
  const versions: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(\S+)/.exec(line.trim());
    if (match) versions[match[1]] = match[2];
  }
  return versions as unknown as ToolVersions;
}

export const cacheDir = process.env.TIDEWATER_CACHE ?? join(homedir(), '.cache', 'tidewater');

const toolDirs = {
  'kube-apiserver': ['kubernetes', 'KUBERNETES_VERSION'],
  'kube-controller-manager': ['kubernetes', 'KUBERNETES_VERSION'],
  'kube-scheduler': ['kubernetes', 'KUBERNETES_VERSION'],
  etcd: ['etcd', 'ETCD_VERSION'],
  kwok: ['kwok', 'KWOK_VERSION'],
  helm: ['helm', 'HELM_VERSION'],
  kustomize: ['kustomize', 'KUSTOMIZE_VERSION'],
  /** A Python venv from PyPI (API fuzzing). */
  schemathesis: ['schemathesis', 'SCHEMATHESIS_VERSION'],
} as const satisfies Record<string, readonly [string, keyof ToolVersions]>;

export type CachedTool = keyof typeof toolDirs;

/** Absolute path of a binary built by scripts/setup; throws naming the fix when it is missing. */
export function toolPath(tool: CachedTool): string {
  const [dir, versionKey] = toolDirs[tool];
  const path = join(cacheDir, dir, toolVersions()[versionKey], 'bin', tool);
  if (!existsSync(path)) {
    throw new Error(`${tool} is not built (expected ${path}); run scripts/setup to build it`);
  }
  return path;
}
