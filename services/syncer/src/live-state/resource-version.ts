/**
 * Whether resourceVersion `seen` is at least `expected`. Kubernetes calls resourceVersions opaque, but every
 * API server backed by etcd hands out increasing integers; anything else only compares equal.
 */
export function isAtLeastVersion(seen: string | undefined, expected: string | undefined): boolean {
  if (expected === undefined || expected === '') return true;
  if (seen === undefined || seen === '') return false;
  if (seen === expected) return true;
  if (!/^\d+$/.test(seen) || !/^\d+$/.test(expected)) return false;
  return BigInt(seen) >= BigInt(expected);
}

/** The newer of two resourceVersions (integer comparison where possible, else the first). */
export function newerVersion(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return isAtLeastVersion(a, b) ? a : isAtLeastVersion(b, a) ? b : a;
}
