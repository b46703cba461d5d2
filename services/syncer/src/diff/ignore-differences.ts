import { globMatch, type ArgoApplication } from '@tidewater/config';
import type { ObjectRef } from '../apply/object-ref.ts';
import { sharedJqEngine, type JqEngine } from './jq-path-expressions.ts';
import { removeJsonPointer } from './json-pointer.ts';
import { removeManagedFields } from './managed-fields-removal.ts';

/** One `spec.ignoreDifferences` entry of an application, with where it was written. */
export interface IgnoreRule {
  /** `spec.ignoreDifferences[0]`: how messages name the entry. */
  field: string;
  group: string;
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers: string[];
  jqPathExpressions: string[];
  managedFieldsManagers: string[];
}

/** A jq expression that could not be applied to an object (logged by the caller; the object is compared without it). */
export interface IgnoreFailure {
  field: string;
  expression: string;
  message: string;
}

/** The application's ignoreDifferences entries (Argo CD's `spec.ignoreDifferences`). */
export function ignoreRulesOf(application: Pick<ArgoApplication, 'spec'>): IgnoreRule[] {
  return (application.spec.ignoreDifferences ?? []).map((entry, index) => ({
    field: `spec.ignoreDifferences[${index}]`,
    group: entry.group ?? '',
    kind: entry.kind,
    ...(entry.name ? { name: entry.name } : {}),
    ...(entry.namespace ? { namespace: entry.namespace } : {}),
    jsonPointers: entry.jsonPointers ?? [],
    jqPathExpressions: entry.jqPathExpressions ?? [],
    managedFieldsManagers: entry.managedFieldsManagers ?? [],
  }));
}

/** Rules that apply to an object: group and kind match as globs (Argo CD), name and namespace exactly when set. */
export function rulesForObject(rules: readonly IgnoreRule[], ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): IgnoreRule[] {
  return rules.filter((rule) => globMatch(rule.group, ref.group, { negation: false })
    && globMatch(rule.kind, ref.kind, { negation: false })
    && (rule.name === undefined || rule.name === ref.name)
    && (rule.namespace === undefined || rule.namespace === (ref.namespace ?? '')));
}

export interface NormalizeOptions {
  /** `metadata.managedFields` of the live object: managedFieldsManagers ignore what these entries own. */
  liveManagedFields?: unknown;
  jq?: JqEngine;
  onFailure?: (failure: IgnoreFailure) => void;
}

/**
 * A copy of `object` without the fields the rules ignore: JSON pointers removed, each jq path expression applied as
 * `del(...)`, and the fields the listed managers own on the live object removed. Applied to both sides of a
 * comparison, so what the rules name never counts as a difference.
 */
export async function withoutIgnoredFields<T>(object: T, rules: readonly IgnoreRule[], options: NormalizeOptions = {}): Promise<T> {
  let normalized: unknown = structuredClone(object);
  for (const rule of rules) {
    for (const pointer of rule.jsonPointers) removeJsonPointer(normalized, pointer);
    for (const expression of rule.jqPathExpressions) {
      const outcome = await (options.jq ?? sharedJqEngine()).deletePaths(normalized, expression);
      if (outcome.ok) normalized = outcome.document;
      else options.onFailure?.({ field: rule.field, expression, message: outcome.message });
    }
    if (rule.managedFieldsManagers.length > 0 && Array.isArray(options.liveManagedFields)) {
      for (const entry of options.liveManagedFields as Array<{ manager?: string; fieldsV1?: unknown }>) {
        if (entry.manager && rule.managedFieldsManagers.includes(entry.manager)) removeManagedFields(normalized, entry.fieldsV1);
      }
    }
  }
  return normalized as T;
}

/**
 * Checks every jq expression of an application's rules once; each one that does not compile is returned with the
 * field that holds it (`spec.ignoreDifferences[0].jqPathExpressions[1]`), so the caller can warn about it.
 */
export async function invalidJqExpressions(rules: readonly IgnoreRule[], jq: JqEngine = sharedJqEngine()): Promise<Array<{ field: string; message: string }>> {
  const problems: Array<{ field: string; message: string }> = [];
  for (const rule of rules) {
    for (const [index, expression] of rule.jqPathExpressions.entries()) {
      const message = await jq.check(expression);
      if (message) problems.push({ field: `${rule.field}.jqPathExpressions[${index}]`, message });
    }
  }
  return problems;
}
