// A reader of RFC 4180 text for tests of the CSV export: records of fields, quotes undone. It slices
// rather than appends a character at a time: exports in the tests reach tens of megabytes.

const UNQUOTED = /[^,\r\n"]*/y;

export function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string;
    if (text[i] === '"') {
      let j = text.indexOf('"', i + 1);
      while (j !== -1 && text[j + 1] === '"') j = text.indexOf('"', j + 2);
      if (j === -1) throw new Error(`an unterminated quote at ${i}`);
      field = text.slice(i + 1, j).replaceAll('""', '"');
      i = j + 1;
    } else {
      UNQUOTED.lastIndex = i;
      field = UNQUOTED.exec(text)![0];
      i += field.length;
    }
    record.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else throw new Error(`a field ends with ${JSON.stringify(text[i] ?? 'the end of the text')} at ${i}, not a comma or CRLF`);
  }
  if (record.length > 0) throw new Error('the text does not end with CRLF');
  return records;
}
