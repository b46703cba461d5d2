import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';

/** YAML as `kubectl get -o yaml` prints it (keys in the API server's order, no line folding); '' for none. */
export function toYaml(object: unknown): string {
  return object === undefined ? '' : stringify(object, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** YAML with keys sorted at every level: two objects whose keys come in different orders read the same (whole-object diffs). */
export function toSortedYaml(object: unknown): string {
  return object === undefined ? '' : stringify(object, { lineWidth: 0, aliasDuplicateObjects: false, sortMapEntries: true });
}

/** A unified diff from `liveText` to `desiredText` (`--- live/<name>`, `+++ desired/<name>`); '' when equal. */
export function unifiedDiff(name: string, liveText: string, desiredText: string): string {
  if (liveText === desiredText) return '';
  return createTwoFilesPatch(`live/${name}`, `desired/${name}`, liveText, desiredText, undefined, undefined, { context: 3 });
}
