/** Number formats and the markdown tables of the report. Pure: no I/O. */

export function ms(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? `${Math.round(value)}` : 'n/a';
}

/** A difference in ms with its sign: +12, −3. */
export function signedMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  const rounded = Math.round(value);
  return rounded < 0 ? `−${-rounded}` : `+${rounded}`;
}

/** Milliseconds with one decimal under 10. */
export function ms1(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return Math.abs(value) < 10 ? value.toFixed(1) : `${Math.round(value)}`;
}

export function mib(bytes: number | undefined): string {
  return bytes !== undefined && Number.isFinite(bytes) ? (bytes / (1024 * 1024)).toFixed(0) : 'n/a';
}

export function ratio(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function perSecond(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? value.toFixed(1) : 'n/a';
}

/**
 * A GitHub-flavoured markdown table. `align` has one letter per column, `l` or `r`; default:
 * the first column left, the others right (numbers).
 */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align?: string): string {
  const left = (column: number) => (align ? align[column] === 'l' : column === 0);
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length), 3));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (left(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => `${'-'.repeat(width + 1)}${left(column) ? '-' : ':'}`).join('|')}|`;
  return [line(header), rule, ...rows.map((row) => line(header.map((_, column) => row[column] ?? '')))].join('\n');
}
