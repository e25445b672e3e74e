import { describe, expect, it } from 'vitest';
import { readCsv as parseCsv } from '../../testing/read-csv.js';
import { csvField, csvRecord, guardFormula } from './csv.js';

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rinside', '"cr\rinside"'],
    ['École über 100%', 'École über 100%'],
    ['', ''],
  ])('quotes %j as RFC 4180 wants', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', '"\'\rx"'],
    ['=HYPERLINK("http://evil","x")', '"\'=HYPERLINK(""http://evil"",""x"")"'],
    ['a=b', 'a=b'],
    [' =x', ' =x'],
  ])('guards %j against formula injection', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('writes numbers, booleans and absent values', () => {
    expect([csvField(0.5), csvField(-1), csvField(true), csvField(null), csvField(undefined), csvField(Number.NaN)]).toEqual(['0.5', '-1', 'true', '', '', '']);
  });

  it('reads back as the values it was given (the guard aside)', () => {
    const values = ['a', 'b,c', '"q"', 'x\r\ny', '=cmd', '', 'ü'];
    expect(parseCsv(csvRecord(values) + csvRecord(['1', '2']))).toEqual([values.map(guardFormula), ['1', '2']]);
  });
});

describe('csvRecord', () => {
  it('ends each record in CRLF', () => {
    expect(csvRecord(['a', 1, null])).toBe('a,1,\r\n');
  });
});
