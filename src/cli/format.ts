// Human-readable output: aligned columns for lists, ISO dates.

/** Rows as aligned columns under a header; `(none)` when there are no rows. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)'
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

export const listText = (values: readonly string[]): string => (values.length ? values.join(' ') : '-')

export const dateText = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z')
