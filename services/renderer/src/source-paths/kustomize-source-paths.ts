import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { kustomizationFileIn } from '../render/kustomize.ts';
import { absoluteIn, joinRepoPath } from '../render/repo-paths.ts';

export type Kustomization = Record<string, unknown>;

/**
 * Every repository path a kustomization reads: the directory itself, plus local resources, bases, components,
 * patches, generator files and the like, following referenced kustomizations recursively. Remote references
 * (URLs) and paths outside the repository are not sources of this repository and are left out.
 */
export function kustomizeSourcePaths(repoRoot: string, appPath: string): string[] {
  const found = new Set<string>();
  const visit = (dirPath: string) => {
    if (found.has(dirPath)) return;
    found.add(dirPath);
    const file = kustomizationFileIn(absoluteIn(repoRoot, dirPath));
    if (!file) return;
    let kustomization: Kustomization;
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return;
      kustomization = parsed as Kustomization;
    } catch {
      return; // kustomize itself reports the broken file; this is only bookkeeping
    }
    for (const reference of localReferences(kustomization)) {
      const repoPath = joinRepoPath(dirPath, reference);
      if (repoPath === undefined) continue;
      const absolute = absoluteIn(repoRoot, repoPath);
      if (!existsSync(absolute)) continue;
      if (statSync(absolute).isDirectory()) visit(repoPath);
      else found.add(repoPath);
    }
  };
  visit(appPath);
  return [...found];
}

/** Path-like strings in a kustomization that may name local files or directories. */
function localReferences(kustomization: Kustomization): string[] {
  return kustomizationReferences(kustomization).filter((reference) => !isRemoteReference(reference));
}

/** Every path or URL a kustomization names (resources, bases, components, patches, generator files, …). */
export function kustomizationReferences(kustomization: Kustomization): string[] {
  const references: string[] = [];
  const addStrings = (value: unknown) => {
    if (Array.isArray(value)) for (const entry of value) if (typeof entry === 'string') references.push(entry);
  };
  const addPathFields = (value: unknown) => {
    if (Array.isArray(value)) for (const entry of value) addString(entry?.path);
  };
  const addString = (value: unknown) => {
    if (typeof value === 'string' && value !== '') references.push(value);
  };

  for (const key of ['resources', 'bases', 'components', 'crds', 'configurations', 'generators', 'transformers', 'validators']) {
    addStrings(kustomization[key]);
  }
  // patchesStrategicMerge entries are paths or inline patches; inline ones contain a newline.
  if (Array.isArray(kustomization.patchesStrategicMerge)) {
    for (const entry of kustomization.patchesStrategicMerge) if (typeof entry === 'string' && !entry.includes('\n')) references.push(entry);
  }
  addPathFields(kustomization.patches);
  addPathFields(kustomization.patchesJson6902);
  addPathFields(kustomization.replacements);
  addString((kustomization.openapi as { path?: unknown } | undefined)?.path);
  for (const generatorKey of ['configMapGenerator', 'secretGenerator']) {
    const generators = kustomization[generatorKey];
    if (!Array.isArray(generators)) continue;
    for (const generator of generators) {
      if (typeof generator !== 'object' || generator === null) continue;
      const { files, envs, env } = generator as { files?: unknown; envs?: unknown; env?: unknown };
      // `files` entries may be `key=path`.
      if (Array.isArray(files)) for (const entry of files) if (typeof entry === 'string') references.push(entry.replace(/^[^=]*=/, ''));
      addStrings(envs);
      addString(env);
    }
  }
  return references;
}

/** Whether kustomize would fetch `reference` from the network (a URL, `git::`, scp-like or `host.tld/org/repo`). */
export function isRemoteReference(reference: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(reference) || /^[a-z][a-z0-9+.-]*::/i.test(reference)
    || /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/i.test(reference);
}
