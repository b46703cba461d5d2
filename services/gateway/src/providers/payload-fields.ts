/** Small helpers over parsed (schema-checked) payloads, where providers send empty strings or null for "none". */

/** The text, or undefined when it is null, undefined or empty. */
export function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value.length === 0 ? undefined : value;
}

/** The non-empty values, in order, without duplicates. */
export function distinctNonEmpty(values: ReadonlyArray<string | null | undefined>): string[] {
  return [...new Set(values.map(nonEmpty).filter((value): value is string => value !== undefined))];
}

/** Union of the file lists (`added`, `modified`, `removed`) of GitHub/GitLab/Gitea commit objects. */
export function pathsOfCommits(commits: ReadonlyArray<{
  added?: readonly string[] | null; modified?: readonly string[] | null; removed?: readonly string[] | null;
}>): string[] {
  const paths = new Set<string>();
  for (const commit of commits) {
    for (const list of [commit.added, commit.modified, commit.removed]) {
      for (const path of list ?? []) {
        if (path.length > 0) paths.add(path);
      }
    }
  }
  return [...paths];
}
