import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { inspectAgainstSchema } from './unknown-fields.ts';

const Schema = z.object({
  meta: z.looseObject({ name: z.string() }),
  items: z.array(z.object({ name: z.string(), opts: z.object({ a: z.boolean() }).optional() })).optional(),
  strict: z.strictObject({ b: z.string() }).optional(),
  either: z.union([z.string(), z.object({ c: z.string() })]).optional(),
  free: z.record(z.string(), z.unknown()).optional(),
  withDefault: z.object({ d: z.string() }).default({ d: 'x' }),
});

describe('inspectAgainstSchema', () => {
  it('lists keys unknown to stripping objects at any depth, and nothing else', () => {
    const { unknownFields } = inspectAgainstSchema(Schema, {
      meta: { name: 'n', uid: 'ignored' },
      items: [{ name: 'a', extra: 1 }, { name: 'b', opts: { a: true, z: 2 } }],
      strict: { b: 'x', y: 1 },
      either: { c: 'x', w: 1 },
      free: { anything: { deep: true } },
      withDefault: { d: 'y', e: 1 },
      top: true,
    });
    expect(unknownFields).toEqual([['items', 0, 'extra'], ['items', 1, 'opts', 'z'], ['either', 'w'], ['withDefault', 'e'], ['top']]);
  });

  it('drops null values of known fields but keeps nulls inside free-form values', () => {
    const { cleaned } = inspectAgainstSchema(Schema, { meta: { name: 'n' }, items: null, free: { remove: null } });
    expect(cleaned).toEqual({ meta: { name: 'n' }, free: { remove: null } });
  });
});
