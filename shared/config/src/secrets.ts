import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, normalize, relative, sep } from 'node:path';
import type { SecretRef } from './schema/secret-ref.ts';

/** A secret reference that cannot be resolved. Names the reference, never a value. */
export class SecretRefError extends Error {
  readonly ref: string;

  constructor(ref: SecretRef, problem: string, options?: { cause?: unknown }) {
    super(`${describeSecretRef(ref)} ${problem}`, options);
    this.name = 'SecretRefError';
    this.ref = describeSecretRef(ref);
  }
}

/** `env TIDEWATER_SECRET_GH` or `file /run/secrets/gh`: safe to log. */
export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `env ${ref.env}` : `file ${ref.file}`;
}

/**
 * What a secret reference of this process may name: environment variables starting with `envPrefix` and files
 * under one of `dirs`. Anything else in the process's environment (REDIS_PASSWORD, AWS_SECRET_ACCESS_KEY, …) or
 * on its disk (/etc/shadow, /proc/self/environ) is out of a configuration's reach.
 */
export interface SecretScope {
  envPrefix: string;
  /** Absolute, normalised directories. */
  dirs: string[];
}

/** The variables that set the scope, per service (each service reads its own environment). */
export const secretScopeVariables = { envPrefix: 'TIDEWATER_SECRET_ENV_PREFIX', dirs: 'TIDEWATER_SECRET_DIRS' } as const;
export const defaultSecretEnvPrefix = 'TIDEWATER_SECRET_';
/** Where Kubernetes / Docker mount Tidewater's secrets by convention. */
export const defaultSecretDirs: readonly string[] = ['/var/run/secrets/tidewater', '/run/secrets/tidewater'];

/**
 * The scope from TIDEWATER_SECRET_ENV_PREFIX (default `TIDEWATER_SECRET_`) and TIDEWATER_SECRET_DIRS
 * (colon-separated absolute directories; default /var/run/secrets/tidewater:/run/secrets/tidewater).
 */
export function secretScopeFromEnv(env: NodeJS.ProcessEnv = process.env): SecretScope {
  const envPrefix = env[secretScopeVariables.envPrefix] || defaultSecretEnvPrefix;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envPrefix)) {
    throw new Error(`${secretScopeVariables.envPrefix} must be a non-empty environment variable name prefix (letters, digits, _)`);
  }
  const listed = (env[secretScopeVariables.dirs] ?? '').split(':').filter(Boolean);
  for (const dir of listed) {
    if (!isAbsolute(dir)) throw new Error(`${secretScopeVariables.dirs}: ${dir} is not an absolute directory`);
  }
  const dirs = (listed.length ? listed : defaultSecretDirs).map((dir) => normalize(dir).replace(/(.)\/+$/, '$1'));
  return { envPrefix, dirs };
}

/**
 * Why `ref` is outside `scope` (a phrase to follow describeSecretRef(ref), e.g. `is outside the secret scope: …`),
 * or undefined when it is inside. Judged on the reference as written; files are checked again, symlinks resolved,
 * when read. Names the rule, never a value.
 */
export function secretRefScopeProblem(ref: SecretRef, scope: SecretScope): string | undefined {
  if ('env' in ref) {
    const name = ref.env;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'is not an environment variable name';
    if (!name.startsWith(scope.envPrefix) || name.length === scope.envPrefix.length || isScopeVariable(name)) {
      return `is outside the secret scope: env references must name a variable starting with ${scope.envPrefix} (set per service by ${secretScopeVariables.envPrefix})`;
    }
    return undefined;
  }
  const path = ref.file;
  if (!isAbsolute(path)) return `must be an absolute path under ${scope.dirs.join(' or ')} (${secretScopeVariables.dirs})`;
  if (path.split(/[\\/]+/).includes('..')) return 'must not contain .. segments';
  if (!scope.dirs.some((dir) => isInside(dir, normalize(path)))) {
    return `is outside the secret scope: file references must be under ${scope.dirs.join(' or ')} (set per service by ${secretScopeVariables.dirs})`;
  }
  return undefined;
}

/**
 * Reads a secret from its environment variable or file, without the trailing newline that editors and
 * `kubectl create secret --from-file` leave. Only references inside the process's secret scope are read; a file is
 * read only when its real path (symlinks resolved) is inside a secret directory too. Read it where it is used;
 * do not copy it into logs or jobs.
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env, scope: SecretScope = secretScopeFromEnv(env)): string {
  const problem = secretRefScopeProblem(ref, scope);
  if (problem) throw new SecretRefError(ref, problem);
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined) throw new SecretRefError(ref, 'is not set');
    if (value === '') throw new SecretRefError(ref, 'is empty');
    return stripTrailingNewline(value);
  }
  let content: string;
  try {
    const real = realpathSync(ref.file);
    if (!scope.dirs.some((dir) => isInside(realDir(dir), real))) {
      throw new SecretRefError(ref, `resolves (through a symlink) outside the secret directories ${scope.dirs.join(', ')}`);
    }
    content = readFileSync(real, 'utf8');
  } catch (error) {
    if (error instanceof SecretRefError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SecretRefError(ref, `cannot be read (${code})`, { cause: error });
  }
  const value = stripTrailingNewline(content);
  if (value === '') throw new SecretRefError(ref, 'is empty');
  return value;
}

function isScopeVariable(name: string): boolean {
  return name === secretScopeVariables.envPrefix || name === secretScopeVariables.dirs;
}

/** Whether `path` lies strictly below `dir` (both absolute and normalised). */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function stripTrailingNewline(value: string): string {
  return value.replace(/\r?\n$/, '');
}
