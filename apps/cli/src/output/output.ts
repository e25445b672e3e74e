// Where a command's results and messages go. stdout holds the result only: a table or lines on a
// terminal or in a pipe, JSON with --json (one document, or JSON lines for `tail` and `watch`);
// stderr holds messages (a hint, a warning, an error, a prompt). Nothing decorative with --json.

import type { CliIo, OutputStream } from '../io.js';
import { colorsOf, colorsWanted, statusColor, statusText, type Colors } from './style.js';
import { renderFields, renderTable, type Column } from './table.js';

export interface OutputOptions {
  readonly json: boolean;
  /** false with --no-color. */
  readonly color: boolean;
}

export class Output {
  readonly json: boolean;
  /** stdout is a terminal (and not --json): colours, glyphs, tables cut to its width, a progress bar. */
  readonly tty: boolean;
  readonly colors: Colors;
  /** Colours of the messages on stderr (a terminal of its own, or not). */
  readonly errorColors: Colors;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;

  constructor(io: CliIo, options: OutputOptions) {
    this.json = options.json;
    this.tty = io.isTTY.stdout && !options.json;
    this.colors = colorsOf(colorsWanted({ tty: io.isTTY.stdout, json: options.json, color: options.color, env: io.env }));
    this.errorColors = colorsOf(colorsWanted({ tty: io.isTTY.stderr, json: false, color: options.color, env: io.env }));
    this.stdout = io.stdout;
    this.stderr = io.stderr;
  }

  /** The terminal's width, when stdout is one. */
  get width(): number | undefined {
    return this.tty ? (this.stdout.columns ?? 80) : undefined;
  }

  /** A line of the result. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A message for the person (stderr). */
  message(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** A warning for the person (stderr). */
  warn(text: string): void {
    this.stderr.write(`${this.errorColors.yellow('warning:')} ${text}\n`);
  }

  /** The result as one JSON document. */
  document(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON line of a stream of results (`tail`, `watch`). */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  table<T>(columns: readonly Column<T>[], rows: readonly T[]): void {
    const width = this.width;
    this.line(renderTable(columns, rows, { colors: this.colors, ...(width === undefined ? {} : { width }) }));
  }

  fields(fields: readonly (readonly [label: string, value: string])[]): void {
    this.line(renderFields(fields, this.colors));
  }

  /** A section's title above a table. */
  heading(text: string): void {
    this.line(this.colors.bold(this.colors.underline(text)));
  }

  /** A status as a word, with its glyph and colour on a terminal; padded to `width` (a column of lines). */
  status(status: string, width = 0): string {
    return statusColor(status, this.colors)(this.statusText(status).padEnd(width));
  }

  /** A column of statuses: the word (and glyph on a terminal) in the status's colour. */
  statusColumn<T>(header: string, statusOf: (row: T) => string): Column<T> {
    return { header, text: (row) => this.statusText(statusOf(row)), color: (row, colors) => statusColor(statusOf(row), colors) };
  }

  /** A status without colour: a column's text (its glyph, on a terminal, is part of what is measured). */
  statusText(status: string): string {
    return statusText(status, this.tty);
  }
}
