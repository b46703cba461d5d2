/** One resource an operator's sync selects (Argo CD's `--resource GROUP:KIND:NAME` or `GROUP:KIND:NAMESPACE/NAME`). */
export interface ResourceSelector {
  /** '' for the core group. */
  group: string;
  kind: string;
  /** Absent: the name in any namespace (and cluster-scoped objects). */
  namespace?: string;
  name: string;
}

/** Parses `group:kind:name` or `group:kind:namespace/name`; undefined when the text has another shape. */
export function parseResourceSelector(text: string): ResourceSelector | undefined {
  const match = /^([^:]*):([^:/]+):(?:([^:/]+)\/)?([^:/]+)$/.exec(text.trim());
  if (!match) return undefined;
  const [, group, kind, namespace, name] = match;
  return { group, kind, ...(namespace ? { namespace } : {}), name };
}

/** Parses every selector, or names the first one that is malformed. */
export function parseResourceSelectors(texts: readonly string[]): { selectors: ResourceSelector[] } | { invalid: string } {
  const selectors: ResourceSelector[] = [];
  for (const text of texts) {
    const selector = parseResourceSelector(text);
    if (!selector) return { invalid: text };
    selectors.push(selector);
  }
  return { selectors };
}

/** Whether `ref` is one of the selected resources (no selectors: everything is selected). */
export function isSelected(selectors: readonly ResourceSelector[] | undefined, ref: { group: string; kind: string; namespace?: string; name: string }): boolean {
  if (!selectors) return true;
  return selectors.some((selector) => selector.group === ref.group && selector.kind === ref.kind && selector.name === ref.name
    && (selector.namespace === undefined || selector.namespace === (ref.namespace ?? '')));
}
