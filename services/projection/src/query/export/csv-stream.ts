// Writing an export as it is read: a chunk of records is pulled only once the previous one was taken
// by the client (backpressure), so memory holds one chunk whatever the export's size. The cap cuts
// the export with a last record saying so (a spreadsheet shows it; a program sees its first cell),
// and a reader that goes away stops the reading: the source is closed at once, never read to its end.

import { csvRecord, type CsvValue } from './csv.js';

/** Where the text goes: an HTTP response (csv-response.ts), or a test's buffer. */
export interface CsvSink {
  /** Called once the first chunk was read, before anything is written: a failure before it is an ordinary error answer. */
  begin(): void;
  /** Resolves false when the reader went away: nothing more is wanted. */
  write(chunk: string): Promise<boolean>;
}

export interface CsvOutcome {
  /** Data records written (neither the header nor the truncation record). */
  readonly rows: number;
  /** The cap cut the export: more records matched. */
  readonly truncated: boolean;
  /** The reader went away before the end. */
  readonly aborted: boolean;
}

/** First cell of the record that ends an export the cap cut. */
export const TRUNCATED_MARK = '# truncated';

export function truncationRecord(maxRows: number, width: number): CsvValue[] {
  const cells: CsvValue[] = [TRUNCATED_MARK, `the export stops after ${maxRows} rows and more match: narrow the filter (from, to, status, q) to export the rest`];
  while (cells.length < width) cells.push(null);
  return cells;
}

/**
 * Writes the header, then the records of `source` up to `maxRows`, then the truncation record if
 * more matched. `source` is closed (its `finally` runs) however this ends.
 */
export async function pipeCsv(source: AsyncGenerator<CsvValue[][]>, sink: CsvSink, options: { header: readonly string[]; maxRows: number }): Promise<CsvOutcome> {
  let rows = 0;
  try {
    let next = await source.next();
    sink.begin();
    if (!(await sink.write(csvRecord(options.header)))) return { rows, truncated: false, aborted: true };
    while (next.done !== true) {
      const chunk = next.value.slice(0, options.maxRows - rows);
      rows += chunk.length;
      if (chunk.length > 0 && !(await sink.write(chunk.map(csvRecord).join('')))) return { rows, truncated: false, aborted: true };
      if (chunk.length < next.value.length) {
        const written = await sink.write(csvRecord(truncationRecord(options.maxRows, options.header.length)));
        return { rows, truncated: true, aborted: !written };
      }
      next = await source.next();
    }
    return { rows, truncated: false, aborted: false };
  } finally {
    await source.return(undefined);
  }
}
