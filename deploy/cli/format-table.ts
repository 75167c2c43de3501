/** One column of a text table. */
export interface Column<R> {
  readonly header: string;
  readonly value: (row: R) => string | number;
  /** Numbers read best right-aligned. @default 'left' */
  readonly align?: 'left' | 'right';
}

/**
 * Lays rows out as a plain-text table: a header line, then one line per row, columns separated by
 * two spaces and padded to their widest cell. Lines carry no trailing blanks.
 */
export function formatTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string[] {
  const cells = rows.map((row) => columns.map((c) => String(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const last = i === values.length - 1;
        if (columns[i]!.align === 'right') return v.padStart(widths[i]!);
        return last ? v : v.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}
