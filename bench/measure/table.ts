/** Prints a Markdown table (readable in a terminal and pasteable into docs/benchmarks.md). */
export function printTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): void {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of cells) console.log(line(row));
}

/** Fixed decimals, for table cells. */
export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
