import type { z } from 'zod';
import { PayloadError } from '../errors/http-errors.ts';

/**
 * Parses a verified payload with its schema; a mismatch is a 400 that names the first offending field
 * (`push payload field "commits[0].added": expected array, received number`), never the value.
 */
export function parsePayload<Schema extends z.ZodType>(schema: Schema, payload: unknown, what: string): z.output<Schema> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = fieldPath(issue.path);
  throw new PayloadError(field ? `${what} field "${field}": ${issueText(issue)}` : `${what}: ${issueText(issue)}`);
}

/** `commits[0].added` from `['commits', 0, 'added']`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

function issueText(issue: z.core.$ZodIssue): string {
  // Zod's text names the expected and the received type ("Invalid input: expected array, received string").
  if (issue.code === 'invalid_type') return /received undefined$/.test(issue.message) ? `is required (${issue.expected})` : issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must not be empty';
  // Zod's other messages hold limits and expected values, not the input.
  return issue.message;
}
