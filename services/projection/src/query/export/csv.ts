// CSV as RFC 4180 writes it, for spreadsheets as well as programs: every record ends in CRLF, a field
// holding a comma, a quote, CR or LF is quoted with its quotes doubled. A cell a spreadsheet would
// read as a formula (OWASP "CSV Injection": one starting with =, +, -, @, a tab or CR) is prefixed
// with a single quote, so that a Task named `=HYPERLINK(...)` is shown as text, never evaluated.

/** What a cell may hold; null and undefined are an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** The text of a cell with the formula guard applied, unquoted. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One field. Numbers are written as they are (a negative progress cannot occur; a number is no
 * formula), every text through the guard.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = guardFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF included. */
export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
