import { describe, expect, it } from 'vitest';
import type { CsvValue } from './csv.js';
import { pipeCsv, TRUNCATED_MARK, type CsvSink } from './csv-stream.js';

/** A source of `chunks` chunks of `size` records each, which says how far it was read and whether it was closed. */
function source(chunks: number, size: number) {
  const seen = { pulled: 0, closed: false };
  async function* records(): AsyncGenerator<CsvValue[][]> {
    try {
      for (let c = 0; c < chunks; c++) {
        seen.pulled++;
        yield Array.from({ length: size }, (_, i) => [`r${c * size + i}`, i]);
      }
    } finally {
      seen.closed = true;
    }
  }
  return { records: records(), seen };
}

/** A sink that keeps what it is given and goes away after `accepts` writes. */
function sink(accepts = Number.POSITIVE_INFINITY): CsvSink & { text: string; begun: boolean } {
  let writes = 0;
  return {
    text: '',
    begun: false,
    begin() {
      this.begun = true;
    },
    async write(chunk) {
      if (writes++ >= accepts) return false;
      this.text += chunk;
      return true;
    },
  };
}

const lines = (text: string) => text.split('\r\n').slice(0, -1);

describe('pipeCsv', () => {
  it('writes the header and every record when they fit the cap', async () => {
    const { records, seen } = source(3, 2);
    const out = sink();
    expect(await pipeCsv(records, out, { header: ['ID', 'N'], maxRows: 6 })).toEqual({ rows: 6, truncated: false, aborted: false });
    expect(lines(out.text)).toEqual(['ID,N', 'r0,0', 'r1,1', 'r2,0', 'r3,1', 'r4,0', 'r5,1']);
    expect(seen.closed).toBe(true);
  });

  it('cuts at the cap and ends with a truncation record as wide as the header', async () => {
    const { records, seen } = source(10, 2);
    const out = sink();
    expect(await pipeCsv(records, out, { header: ['ID', 'N', 'X'], maxRows: 3 })).toEqual({ rows: 3, truncated: true, aborted: false });
    const written = lines(out.text);
    expect(written.slice(0, 4)).toEqual(['ID,N,X', 'r0,0', 'r1,1', 'r2,0']);
    expect(written).toHaveLength(5);
    expect(written[4]!.split(',')[0]).toBe(TRUNCATED_MARK);
    expect(written[4]!.endsWith(',')).toBe(true);
    expect(seen).toEqual({ pulled: 2, closed: true });
  });

  it('stops reading and closes the source when the reader goes away', async () => {
    const { records, seen } = source(1000, 5);
    const out = sink(3);
    expect(await pipeCsv(records, out, { header: ['ID', 'N'], maxRows: 100_000 })).toMatchObject({ aborted: true });
    expect(seen.pulled).toBeLessThanOrEqual(3);
    expect(seen.closed).toBe(true);
  });

  it('lets a failure of the first read through before anything is begun', async () => {
    async function* failing(): AsyncGenerator<CsvValue[][]> {
      const fail = (): CsvValue[][] => {
        throw new Error('statement timeout');
      };
      yield fail();
    }
    const out = sink();
    await expect(pipeCsv(failing(), out, { header: ['ID'], maxRows: 10 })).rejects.toThrow('statement timeout');
    expect(out.begun).toBe(false);
    expect(out.text).toBe('');
  });

  it('writes only the header for an empty export', async () => {
    const out = sink();
    expect(await pipeCsv(source(0, 0).records, out, { header: ['ID'], maxRows: 10 })).toEqual({ rows: 0, truncated: false, aborted: false });
    expect(out.text).toBe('ID\r\n');
  });
});
