// Plain-text tables: the first column left-aligned (names), the others right-aligned (figures),
// except the columns named in `left` (free text such as a note).

export type Cell = string | number | undefined;

export function table(header: readonly string[], rows: readonly (readonly Cell[])[], left: readonly number[] = []): string {
  const text = (c: Cell) => (c === undefined ? '-' : String(c));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => text(row[i]).length)));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((c, i) => (i === 0 || left.includes(i) ? text(c).padEnd(widths[i]!) : text(c).padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
