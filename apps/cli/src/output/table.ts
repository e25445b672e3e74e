// Tables without borders (columns two spaces apart, headers in capitals), as kubectl and docker
// print them, so that a terminal shows them and awk reads them. On a terminal the table fits its
// width: the columns that may shrink (a name, a message) are cut with `…`, the widest first; in a
// pipe nothing is cut. cli-table3 pads and cuts, measuring colours and wide characters right
// (string-width, the same module it measures with, says how wide each column wants to be).

import Table from 'cli-table3';
import stringWidth from 'string-width';
import type { Colors } from './style.js';

export interface Column<T> {
  readonly header: string;
  /** The cell's text, without colour: what the width is measured on. */
  readonly text: (row: T) => string;
  /** A colour for the cell, on a terminal. */
  readonly color?: (row: T, colors: Colors) => ((text: string) => string) | undefined;
  /** May be cut to fit the terminal. */
  readonly shrink?: boolean;
  /** May be left out when the table cannot fit the terminal otherwise; the highest goes first. */
  readonly drop?: number;
  readonly align?: 'left' | 'right';
}

export interface TableOptions {
  /** The terminal's width; none in a pipe (nothing is cut). */
  readonly width?: number;
  readonly colors: Colors;
}

const GAP = 2;
/** A column cut to fit keeps at least this many characters (or its header's). */
const MIN_SHRUNK = 10;

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: ' '.repeat(GAP),
};

/** The widths of the columns: what each needs, the shrinkable ones cut (widest first) until the whole fits `width`. */
export function fitWidths(natural: readonly number[], shrinkable: readonly boolean[], minimums: readonly number[], width: number | undefined): number[] {
  const widths = [...natural];
  if (width === undefined) return widths;
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1) - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (shrinkable[i] && widths[i]! > minimums[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest < 0) break;
    const others = widths.filter((w, i) => i !== widest && shrinkable[i] && w > minimums[i]!);
    const next = Math.max(minimums[widest]!, ...others);
    const cut = Math.min(excess, widths[widest]! - next || 1);
    widths[widest]! -= cut;
    excess -= cut;
  }
  return widths;
}

export function renderTable<T>(all: readonly Column<T>[], rows: readonly T[], options: TableOptions): string {
  let columns = [...all];
  let texts: string[][];
  let widths: number[];
  for (;;) {
    texts = rows.map((row) => columns.map((column) => column.text(row)));
    const natural = columns.map((column, i) => Math.max(stringWidth(column.header), ...texts.map((cells) => stringWidth(cells[i]!))));
    const minimums = columns.map((column, i) => Math.min(natural[i]!, Math.max(MIN_SHRUNK, stringWidth(column.header))));
    widths = fitWidths(natural, columns.map((c) => c.shrink === true), minimums, options.width);
    const total = widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
    const droppable = columns.filter((c) => c.drop !== undefined).sort((a, b) => b.drop! - a.drop!)[0];
    if (options.width === undefined || total <= options.width || droppable === undefined) break;
    columns = columns.filter((c) => c !== droppable);
  }
  const table = new Table({
    head: columns.map((column) => options.colors.bold(column.header)),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colWidths: widths,
    colAligns: columns.map((column) => column.align ?? 'left'),
    truncate: '…',
  });
  rows.forEach((row, r) => {
    table.push(
      columns.map((column, i) => {
        const paint = column.color?.(row, options.colors);
        return paint ? paint(texts[r]![i]!) : texts[r]![i]!;
      }),
    );
  });
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** `Label   value` lines, the labels padded to one width (a Task's fields). */
export function renderFields(fields: readonly (readonly [label: string, value: string])[], colors: Colors): string {
  const shown = fields.filter(([, value]) => value !== '');
  const width = Math.max(0, ...shown.map(([label]) => stringWidth(label)));
  return shown.map(([label, value]) => `${colors.bold(label.padEnd(width))}  ${value}`).join('\n');
}
