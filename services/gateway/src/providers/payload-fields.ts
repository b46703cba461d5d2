/** Reading fields of an untrusted, already parsed JSON payload without trusting its shape. */

// Field paths are constants in the adapters: split each once.
const splitPaths = new Map<string, readonly string[]>();

export function fieldOf(value: unknown, path: string): unknown {
  let keys = splitPaths.get(path);
  if (keys === undefined) {
    keys = path.split('.');
    splitPaths.set(path, keys);
  }
  let current: unknown = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function stringField(value: unknown, path: string): string | undefined {
  const field = fieldOf(value, path);
  return typeof field === 'string' && field.length > 0 ? field : undefined;
}

export function numberField(value: unknown, path: string): number | undefined {
  const field = fieldOf(value, path);
  return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

export function booleanField(value: unknown, path: string): boolean | undefined {
  const field = fieldOf(value, path);
  return typeof field === 'boolean' ? field : undefined;
}

export function arrayField(value: unknown, path: string): unknown[] | undefined {
  const field = fieldOf(value, path);
  return Array.isArray(field) ? field : undefined;
}

/** Strings found at each of `paths`, in order, without duplicates. */
export function stringFields(value: unknown, paths: readonly string[]): string[] {
  const found = paths.map((path) => stringField(value, path)).filter((field): field is string => field !== undefined);
  return [...new Set(found)];
}

/** Union of the file lists (`added`, `modified`, `removed`) of GitHub/GitLab/Gitea commit objects. */
export function pathsOfCommits(commits: readonly unknown[]): string[] {
  const paths = new Set<string>();
  for (const commit of commits) {
    for (const list of ['added', 'modified', 'removed']) {
      for (const path of arrayField(commit, list) ?? []) {
        if (typeof path === 'string' && path.length > 0) paths.add(path);
      }
    }
  }
  return [...paths];
}
