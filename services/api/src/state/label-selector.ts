/** One requirement of a Kubernetes label selector. */
type Requirement =
  | { key: string; op: 'eq' | 'ne'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'absent' };

/** A parse failure naming the part of the selector at fault. */
export class SelectorError extends Error {}

/**
 * Parses a label selector as kubectl and `argocd app list -l` take it: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
 * `a in (x,y)`, `a notin (x,y)`, joined by commas.
 */
export function parseLabelSelector(selector: string): (labels: Record<string, string> | undefined) => boolean {
  const requirements: Requirement[] = [];
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  for (const rawPart of parts) {
    const part = rawPart.trim();
    if (!part) continue;
    let match: RegExpExecArray | null;
    if ((match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      requirements.push({ key: match[1], op: match[2] as 'in' | 'notin', values: match[3].split(',').map((value) => value.trim()).filter(Boolean) });
    } else if ((match = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(part))) {
      requirements.push({ key: match[1], op: match[2] === '!=' ? 'ne' : 'eq', value: match[3] });
    } else if ((match = /^!\s*([\w./-]+)$/.exec(part))) {
      requirements.push({ key: match[1], op: 'absent' });
    } else if ((match = /^([\w./-]+)$/.exec(part))) {
      requirements.push({ key: match[1], op: 'exists' });
    } else {
      throw new SelectorError(`cannot parse "${part}" (use key=value, key!=value, key, !key, key in (a,b), key notin (a,b))`);
    }
  }
  return (labels = {}) => requirements.every((requirement) => {
    const value = labels[requirement.key];
    switch (requirement.op) {
      case 'eq': return value === requirement.value;
      case 'ne': return value !== requirement.value;
      case 'in': return value !== undefined && requirement.values.includes(value);
      case 'notin': return value === undefined || !requirement.values.includes(value);
      case 'exists': return value !== undefined;
      case 'absent': return value === undefined;
    }
  });
}
