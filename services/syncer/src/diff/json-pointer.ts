/** `/spec/template/metadata/annotations/a~1b` → ['spec', 'template', 'metadata', 'annotations', 'a/b'] (RFC 6901). */
export function jsonPointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Removes the field a JSON pointer names from `document` (in place), as a JSON patch `remove` would; a pointer to
 * nothing changes nothing (Argo CD skips such a pointer for that object).
 */
export function removeJsonPointer(document: unknown, pointer: string): void {
  const segments = jsonPointerSegments(pointer);
  if (segments.length === 0) return;
  let parent: unknown = document;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(parent)) parent = /^\d+$/.test(segment) ? parent[Number(segment)] : undefined;
    else if (isMap(parent)) parent = parent[segment];
    else return;
  }
  const last = segments.at(-1)!;
  if (Array.isArray(parent)) {
    if (/^\d+$/.test(last) && Number(last) < parent.length) parent.splice(Number(last), 1);
  } else if (isMap(parent)) {
    delete parent[last];
  }
}
