import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globMatch, type DirectorySource } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';
import { permanent } from '../errors/permanent.ts';
import { parseManifests } from './manifests.ts';
import { absoluteIn, assertInsideRepo, repoRelative } from './repo-paths.ts';

const manifestFile = /\.(ya?ml|json)$/i;

/**
 * Renders a plain directory the way Argo CD does: *.yaml, *.yml and *.json files in path order, sub-directories
 * only with `recurse`, `include`/`exclude` globs matched against the path relative to the app directory.
 */
export function renderDirectory(params: { repoRoot: string; appPath: string; directory?: DirectorySource }): KubernetesObject[] {
  const appDir = absoluteIn(params.repoRoot, params.appPath);
  const files = listManifestFiles(appDir, '', params.directory ?? {});
  const objects: KubernetesObject[] = [];
  for (const relativeToApp of files) {
    const absolute = join(appDir, ...relativeToApp.split('/'));
    const label = repoRelative(params.repoRoot, absolute);
    assertInsideRepo(params.repoRoot, absolute, label);
    objects.push(...parseManifests({ label, text: readFileSync(absolute, 'utf8') }));
  }
  return objects;
}

function listManifestFiles(appDir: string, prefix: string, directory: DirectorySource): string[] {
  const dir = prefix ? join(appDir, ...prefix.split('/')) : appDir;
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw permanent(`path ${prefix || '.'} does not exist in the repository`);
    throw error;
  }
  const files: string[] = [];
  for (const name of entries) {
    const relativePath = prefix ? `${prefix}/${name}` : name;
    const stat = lstatSync(join(dir, name));
    // Symlinked directories are not followed (as filepath.Walk); symlinked files are checked when read.
    if (stat.isDirectory()) {
      if (directory.recurse) files.push(...listManifestFiles(appDir, relativePath, directory));
      continue;
    }
    if (!manifestFile.test(name)) continue;
    // Argo CD's parameter-override files are merged over the source (source-overrides.ts), never applied.
    if (!prefix && /^\.argocd-source(-.+)?\.yaml$/.test(name)) continue;
    if (directory.exclude && globMatch(directory.exclude, relativePath)) continue;
    if (directory.include && !globMatch(directory.include, relativePath)) continue;
    files.push(relativePath);
  }
  return files;
}
