/**
 * Sorted, de-duplicated source paths without entries already covered by a directory entry
 * (`apps/web/base/cm.yaml` is covered by `apps/web/base`; `.` covers everything).
 */
export function collapseSourcePaths(paths: Iterable<string>): string[] {
  const unique = [...new Set(paths)].sort();
  if (unique.includes('.')) return ['.'];
  return unique.filter((path) => !unique.some((other) => other !== path && path.startsWith(`${other}/`)));
}
