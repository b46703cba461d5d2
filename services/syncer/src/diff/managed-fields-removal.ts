/**
 * Removes from `value` (in place) every field a `metadata.managedFields[].fieldsV1` set names, as
 * structured-merge-diff's RemoveItems does for Argo CD's `managedFieldsManagers`: `f:<name>` is a field,
 * `k:{"name":"web"}` a list item by its keys, `v:<json>` a list item by value, `i:<n>` by index; an entry that is
 * empty (a leaf) or holds `.` (the node itself) is removed whole, otherwise only its owned children are.
 */
export function removeManagedFields(value: unknown, fieldsV1: unknown): void {
  if (!isMap(fieldsV1)) return;
  if (Array.isArray(value)) {
    const doomed = new Set<number>();
    for (const [key, child] of Object.entries(fieldsV1)) {
      if (key === '.') continue;
      const index = listItemIndex(value, key);
      if (index === undefined) continue;
      if (isMember(child)) doomed.add(index);
      else removeManagedFields(value[index], child);
    }
    for (const index of [...doomed].sort((a, b) => b - a)) value.splice(index, 1);
    return;
  }
  if (!isMap(value)) return;
  for (const [key, child] of Object.entries(fieldsV1)) {
    if (!key.startsWith('f:')) continue;
    const field = key.slice(2);
    if (!Object.hasOwn(value, field)) continue;
    if (isMember(child)) delete value[field];
    else removeManagedFields(value[field], child);
  }
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A set entry that owns the node itself: a leaf (`{}`) or one that lists `.`. */
const isMember = (entry: unknown) => isMap(entry) && (Object.keys(entry).length === 0 || Object.hasOwn(entry, '.'));

function listItemIndex(list: unknown[], key: string): number | undefined {
  let parsed: unknown;
  try {
    parsed = key.length > 2 ? JSON.parse(key.slice(2)) : undefined;
  } catch {
    return undefined;
  }
  if (key.startsWith('i:') && typeof parsed === 'number') return parsed < list.length ? parsed : undefined;
  if (key.startsWith('v:')) {
    const index = list.findIndex((item) => JSON.stringify(item) === JSON.stringify(parsed));
    return index === -1 ? undefined : index;
  }
  if (key.startsWith('k:') && isMap(parsed)) {
    const keys = parsed;
    const index = list.findIndex((item) => isMap(item) && Object.entries(keys).every(([name, wanted]) => JSON.stringify(item[name]) === JSON.stringify(wanted)));
    return index === -1 ? undefined : index;
  }
  return undefined;
}
