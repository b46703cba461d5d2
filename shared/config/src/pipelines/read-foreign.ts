/**
 * Reads a peer tool's document (Kargo, GitOps Promoter) against a `z.object` schema: fields the schema does not know
 * become warnings naming them (accepted as written, not acted on), type problems become errors naming the field.
 */
import type { z } from 'zod';
import { inspectAgainstSchema } from '../schema/unknown-fields.ts';
import type { PipelineFinding } from './check-pipeline.ts';

export interface ForeignRead<T> {
  /** Undefined when the document has errors. */
  value: T | undefined;
  errors: PipelineFinding[];
  warnings: PipelineFinding[];
}

export function readForeign<T>(schema: z.ZodType<T>, document: unknown, tool: string): ForeignRead<T> {
  const { cleaned, unknownFields } = inspectAgainstSchema(schema, document);
  const warnings = unknownFields.map((path) => ({ path, detail: `${tool} field is not supported by Tidewater and is ignored` }));
  const parsed = schema.safeParse(cleaned, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
  });
  if (parsed.success) return { value: parsed.data, errors: [], warnings };
  const errors = parsed.error.issues.map((issue) => ({
    path: issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'),
    detail: issue.message,
  }));
  return { value: undefined, errors, warnings };
}
