import { stringify } from 'yaml';
import { CliError } from './exit-codes.ts';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';

export function outputFormat(value: string | undefined, allowed: readonly OutputFormat[] = ['wide', 'json', 'yaml']): OutputFormat {
  if (value === undefined) return 'table';
  if (!allowed.includes(value as OutputFormat)) throw new CliError(`-o ${value}: use one of ${allowed.join(', ')}`);
  return value as OutputFormat;
}

/** JSON or YAML of a value, as `-o json|yaml` print it. */
export function structured(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? JSON.stringify(value, null, 2) : stringify(value).trimEnd();
}

/** A left-aligned table with two spaces between columns (kubectl's look). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export const short = (revision: string | undefined) => (revision ? revision.slice(0, 12) : '');
