import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { buildConfig, type ConfigFile, type ConfigLoadResult, type TidewaterConfig } from './build-config.ts';
import type { SecretScope } from './secrets.ts';
import { ConfigError, ConfigLoadError } from './errors.ts';

export interface LoadDirOptions {
  /** Prefix for file names in errors (e.g. the path inside a Git repository); none by default. */
  displayPrefix?: string;
  /** What secret references may name (default: this process's TIDEWATER_SECRET_ENV_PREFIX / TIDEWATER_SECRET_DIRS). */
  secretScope?: SecretScope;
}

/** Loads every `*.yaml` / `*.yml` under `dir` (recursively, skipping dot-directories); throws ConfigLoadError listing every error. */
export async function loadConfigDir(dir: string, options: LoadDirOptions = {}): Promise<TidewaterConfig> {
  const { config, errors, warnings } = await checkConfigDir(dir, options);
  if (errors.length > 0) throw new ConfigLoadError(errors, warnings);
  return config;
}

/** Like loadConfigDir, but returns the findings instead of throwing (for `tide validate`-style callers). */
export async function checkConfigDir(dir: string, options: LoadDirOptions = {}): Promise<ConfigLoadResult> {
  let paths: string[];
  try {
    paths = await yamlFilesUnder(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    const configError = new ConfigError({ file: options.displayPrefix ?? dir, documentIndex: 0, field: '' }, `configuration directory cannot be read (${code})`);
    return { ...buildConfig([]), errors: [configError] };
  }
  const files: ConfigFile[] = [];
  const readErrors: ConfigError[] = [];
  for (const path of paths) {
    const file = displayName(relative(dir, path), options.displayPrefix);
    try {
      files.push({ file, text: await readFile(path, 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      readErrors.push(new ConfigError({ file, documentIndex: 0, field: '' }, `file cannot be read (${code})`));
    }
  }
  const result = buildConfig(files, options.secretScope ? { secretScope: options.secretScope } : {});
  return { ...result, errors: [...readErrors, ...result.errors] };
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await yamlFilesUnder(path)));
    else if ((entry.isFile() || entry.isSymbolicLink()) && /\.ya?ml$/i.test(entry.name)) found.push(path);
  }
  return found;
}

function displayName(relativePath: string, prefix: string | undefined): string {
  const posixPath = relativePath.split(sep).join('/');
  return prefix ? `${prefix.replace(/\/+$/, '')}/${posixPath}` : posixPath;
}
