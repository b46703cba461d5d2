import { z } from 'zod';
import { formatFieldPath, ObjectMeta, tidewaterApiVersion } from '@tidewater/config';
import type { HealthAssessment } from './health-assessment.ts';
import { parseFieldPath, readFieldPath, fieldAt } from './field-path.ts';
import { groupOf, isRecord, stringAt } from './live-object-fields.ts';

// Custom health per kind, written in config next to the Applications:
//
//   apiVersion: tidewater.dev/v1alpha1
//   kind: HealthRule
//   metadata: { name: widgets }
//   spec:
//     group: example.com          # "" (or omitted) for the core group
//     kind: Widget
//     rules:                      # first entry whose `when` all hold wins
//       - when: [{ path: status.phase, equals: Ready }]
//         status: Healthy
//       - when: [{ path: 'status.conditions[type=Failed].status', equals: "True" }]
//         status: Degraded
//         message: 'widget failed: ${status.conditions[type=Failed].message}'
//       - status: Progressing     # no `when`: matches everything left
//
// Rules replace the built-in check for that group/kind; when no entry matches, the built-in check decides.

const FieldPath = z.string().superRefine((path, context) => {
  const parsed = parseFieldPath(path);
  if ('error' in parsed) context.addIssue({ code: 'custom', message: parsed.error });
});

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const HealthRuleMatch = z
  .strictObject({
    /** Dotted field path: `status.phase`, `status.conditions[type=Ready].status`, `metadata.annotations["a.b/c"]`. */
    path: FieldPath,
    equals: Scalar.optional(),
    in: z.array(Scalar).min(1).optional(),
    /** true: the field is present (and not null); false: it is absent. */
    exists: z.boolean().optional(),
  })
  .refine((match) => match.equals !== undefined || match.in !== undefined || match.exists !== undefined, {
    error: 'set at least one of equals, in or exists',
  });
export type HealthRuleMatch = z.infer<typeof HealthRuleMatch>;

const placeholder = /\$\{([^}]*)\}/g;

export const HealthRuleEntry = z.strictObject({
  when: z.array(HealthRuleMatch).default([]),
  /** Missing is not allowed: a rule judges an object that exists. */
  status: z.enum(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Unknown']),
  /** May quote live fields with ${path} placeholders. */
  message: z
    .string()
    .superRefine((message, context) => {
      for (const [, path] of message.matchAll(placeholder)) {
        const parsed = parseFieldPath(path);
        if ('error' in parsed) context.addIssue({ code: 'custom', message: `placeholder: ${parsed.error}` });
      }
    })
    .optional(),
});
export type HealthRuleEntry = z.infer<typeof HealthRuleEntry>;

export const HealthRuleSpec = z.strictObject({
  group: z.string().default(''),
  kind: z.string().min(1),
  rules: z.array(HealthRuleEntry).min(1),
});
export type HealthRuleSpec = z.infer<typeof HealthRuleSpec>;

export const HealthRule = z.object({
  apiVersion: z.literal(tidewaterApiVersion),
  kind: z.literal('HealthRule'),
  metadata: ObjectMeta,
  spec: HealthRuleSpec,
});
export type HealthRule = z.infer<typeof HealthRule>;

/**
 * Picks the HealthRule documents (apiVersion tidewater.dev/…) out of `TidewaterConfig.otherDocuments` and
 * validates them. Other documents are ignored. Errors name the document and field, never a value.
 */
export function parseHealthRules(otherDocuments: unknown[]): { rules: HealthRule[]; errors: string[] } {
  const rules: HealthRule[] = [];
  const errors: string[] = [];
  otherDocuments.forEach((document, index) => {
    if (!isRecord(document) || document.kind !== 'HealthRule') return;
    if (typeof document.apiVersion !== 'string' || !document.apiVersion.startsWith('tidewater.dev/')) return;
    const parsed = HealthRule.safeParse(document);
    if (parsed.success) {
      rules.push(parsed.data);
      return;
    }
    const label = stringAt(document, 'metadata', 'name') ?? `#${index}`;
    for (const issue of parsed.error.issues) {
      const field = formatFieldPath(issue.path);
      errors.push(`HealthRule ${label}: ${field ? `${field}: ` : ''}${issue.message}`);
    }
  });
  return { rules, errors };
}

/** The health the first matching rule entry for the object's group/kind assigns, or undefined (use the built-in check). */
export function evaluateHealthRules(liveObject: object, rules: readonly HealthRule[]): HealthAssessment | undefined {
  if (rules.length === 0) return undefined;
  const object = liveObject as Record<string, unknown>;
  const group = groupOf(typeof object.apiVersion === 'string' ? object.apiVersion : '');
  const kind = object.kind;
  for (const rule of rules) {
    if (rule.spec.group !== group || rule.spec.kind !== kind) continue;
    for (const entry of rule.spec.rules) {
      if (!entry.when.every((match) => matches(object, match))) continue;
      const message = entry.message === undefined ? undefined : renderMessage(entry.message, object);
      return message ? { status: entry.status, message } : { status: entry.status };
    }
  }
  return undefined;
}

function matches(object: Record<string, unknown>, match: HealthRuleMatch): boolean {
  const parsed = parseFieldPath(match.path);
  const value = 'error' in parsed ? undefined : readFieldPath(object, parsed.segments);
  if (match.exists !== undefined && (value !== undefined) !== match.exists) return false;
  if (match.equals !== undefined && !sameScalar(value, match.equals)) return false;
  if (match.in !== undefined && !match.in.some((candidate) => sameScalar(value, candidate))) return false;
  return true;
}

/**
 * Scalar equality that forgives YAML typing: `equals: True` parses as a boolean but condition statuses are the
 * strings "True"/"False", and `equals: 3` should match "3". Strings otherwise compare exactly.
 */
function sameScalar(actual: unknown, expected: string | number | boolean): boolean {
  if (actual === expected) return true;
  if (typeof actual === 'string' && typeof expected === 'boolean') return actual.toLowerCase() === String(expected);
  if (typeof actual === 'boolean' && typeof expected === 'string') return String(actual) === expected.toLowerCase();
  if (typeof actual === 'string' && typeof expected === 'number') return actual === String(expected);
  if (typeof actual === 'number' && typeof expected === 'string') return String(actual) === expected;
  return false;
}

function renderMessage(template: string, object: Record<string, unknown>): string {
  return template.replace(placeholder, (_whole, path: string) => {
    const value = fieldAt(object, path);
    if (value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
