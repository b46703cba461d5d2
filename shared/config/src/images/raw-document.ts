/** A raw document of the configuration with its location, whatever kind the loader gave it. */
export interface RawDocument {
  value: unknown;
  location: { file: string; documentIndex: number; documentName?: string };
}

export type Raw = Record<string, unknown>;

/** The value as a plain object, or undefined. */
export const asRecord = (value: unknown): Raw | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined);
/** A non-empty string, or undefined. */
export const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
/** The strings of an array (anything else left out). */
export const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
