import type { z } from 'zod';

type Path = Array<string | number>;

export interface SchemaInspection {
  /** The input with `null` values of known fields removed (YAML `key:` with nothing after it means "absent"). */
  cleaned: unknown;
  /** Paths of fields the schema does not know, in document order. */
  unknownFields: Path[];
}

/**
 * Walks a parsed document against a zod schema and lists the keys the schema does not know.
 * Objects built with `z.object` (which strips unknown keys) report them; `z.looseObject` accepts them
 * silently; `z.strictObject` leaves them to zod, which turns them into errors.
 */
export function inspectAgainstSchema(schema: z.ZodType, value: unknown): SchemaInspection {
  const unknownFields: Path[] = [];
  const cleaned = walk(schema, value, [], unknownFields);
  return { cleaned, unknownFields };
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

/** zod wrappers that only change how a value is accepted, not its shape: walk their inner type. */
const wrapperTypes = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function walk(schema: z.ZodType, value: unknown, path: Path, unknownFields: Path[]): unknown {
  const def = defOf(schema);
  if (wrapperTypes.has(def.type)) return def.innerType ? walk(def.innerType, value, path, unknownFields) : value;
  switch (def.type) {
    case 'pipe':
      return def.in && defOf(def.in).type !== 'transform'
        ? walk(def.in, value, path, unknownFields)
        : def.out ? walk(def.out, value, path, unknownFields) : value;
    case 'object':
      return isPlainObject(value) ? walkObject(def, value, path, unknownFields) : value;
    case 'array':
      return Array.isArray(value) && def.element
        ? value.map((item, index) => walk(def.element as z.ZodType, item, [...path, index], unknownFields))
        : value;
    case 'record':
      return isPlainObject(value) && def.valueType
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(def.valueType as z.ZodType, item, [...path, key], unknownFields)]))
        : value;
    case 'union': {
      const option = def.options?.find((candidate) => matchesShape(candidate, value));
      return option ? walk(option, value, path, unknownFields) : value;
    }
    default:
      return value;
  }
}

function walkObject(def: Def, value: Record<string, unknown>, path: Path, unknownFields: Path[]): Record<string, unknown> {
  const shape = def.shape ?? {};
  const catchallType = def.catchall ? defOf(def.catchall).type : undefined;
  const cleaned: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const fieldSchema = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (fieldSchema) {
      if (item === null) continue;
      cleaned[key] = walk(fieldSchema, item, [...path, key], unknownFields);
      continue;
    }
    // Stripping object: zod would drop the key without a word, so it is reported here.
    if (catchallType === undefined) unknownFields.push([...path, key]);
    cleaned[key] = item;
  }
  return cleaned;
}

/** Whether a union option could describe the value (object vs array vs scalar), to walk the right branch. */
function matchesShape(schema: z.ZodType, value: unknown): boolean {
  const def = defOf(schema);
  if (wrapperTypes.has(def.type)) return def.innerType ? matchesShape(def.innerType, value) : false;
  switch (def.type) {
    case 'object':
    case 'record':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    default:
      return false;
  }
}
