import type { ObjectResult } from '@tidewater/queues';

/** Something a failed sync waits for: once it appears in the cluster, retrying can succeed. */
export type RetryCondition =
  | { kind: 'namespace'; name: string }
  | { kind: 'custom-resource-kind'; group: string; resourceKind: string };

/**
 * What a failed sync's objects say is missing: a namespace the API answered `namespaces "x" not found` for, or a
 * kind the cluster does not serve (its CRD is not installed or not established yet).
 */
export function retryConditionsOf(objects: readonly ObjectResult[], message?: string): RetryCondition[] {
  const found = new Map<string, RetryCondition>();
  const texts = [...objects.filter((object) => object.outcome === 'failed').map((object) => ({ object, text: object.message ?? '' })), { object: undefined, text: message ?? '' }];
  for (const { object, text } of texts) {
    for (const match of text.matchAll(/namespaces? "([a-z0-9]([-a-z0-9]*[a-z0-9])?)" not found/g)) {
      found.set(`namespace|${match[1]}`, { kind: 'namespace', name: match[1] });
    }
    const kind = /: no kind (\S+) in group (\S+) version \S+ on cluster/.exec(text);
    if (kind) {
      const group = kind[2] === 'core' ? '' : kind[2];
      found.set(`kind|${group}|${kind[1]}`, { kind: 'custom-resource-kind', group, resourceKind: kind[1] });
    } else if (object && object.group && /no matches for kind|the server could not find the requested resource/.test(text)) {
      found.set(`kind|${object.group}|${object.kind}`, { kind: 'custom-resource-kind', group: object.group, resourceKind: object.kind });
    }
  }
  return [...found.values()];
}

/** `namespace team-a`, `kind Widget in example.com`: how status and events name a condition. */
export function describeCondition(condition: RetryCondition): string {
  return condition.kind === 'namespace' ? `namespace ${condition.name}` : `kind ${condition.resourceKind} in ${condition.group || 'core'}`;
}
