import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { colorsOf } from './style.js';
import { fitWidths, renderFields, renderTable, type Column } from './table.js';

type Row = { id: string; n: number; name: string };
const rows: Row[] = [
  { id: 'a1', n: 7, name: 'Clone 30 VMs for the event 42 of the spring term' },
  { id: 'b22', n: 100, name: 'Mail' },
];
const columns: Column<Row>[] = [
  { header: 'ID', text: (r) => r.id },
  { header: 'N', text: (r) => String(r.n), align: 'right' },
  { header: 'NAME', text: (r) => r.name, shrink: true, color: (_r, c) => c.green },
];

describe('renderTable', () => {
  it('lines up the columns two spaces apart under capital headers, nothing cut in a pipe', () => {
    expect(renderTable(columns, rows, { colors: colorsOf(false) }).split('\n')).toEqual([
      'ID     N  NAME',
      'a1     7  Clone 30 VMs for the event 42 of the spring term',
      'b22  100  Mail',
    ]);
  });

  it('fits a terminal: the shrinkable column is cut with … and no line is wider', () => {
    const lines = renderTable(columns, rows, { colors: colorsOf(false), width: 30 }).split('\n');
    expect(lines[1]).toBe('a1     7  Clone 30 VMs for th…');
    expect(lines.every((line) => stringWidth(line) <= 30)).toBe(true);
  });

  it('leaves out droppable columns, the highest first, when cutting is not enough', () => {
    const optional: Column<Row>[] = [{ header: 'ID', text: (r) => r.id }, { header: 'COUNT', text: (r) => String(r.n), drop: 1 }, { header: 'NUMBER', text: (r) => String(r.n), drop: 2 }, columns[2]!];
    expect(renderTable(optional, rows, { colors: colorsOf(false), width: 30 }).split('\n')[0]).toBe('ID   COUNT  NUMBER  NAME');
    expect(renderTable(optional, rows, { colors: colorsOf(false), width: 25 }).split('\n')[0]).toBe('ID   COUNT  NAME');
    expect(renderTable(optional, rows, { colors: colorsOf(false), width: 16 }).split('\n')[0]).toBe('ID   NAME');
    expect(renderTable(optional, rows, { colors: colorsOf(false) }).split('\n')[0]).toBe('ID   COUNT  NUMBER  NAME');
  });

  it('measures colours and wide characters right', () => {
    const wide: Row[] = [{ id: '日本', n: 1, name: 'x' }, { id: 'ab', n: 2, name: 'y' }];
    const text = renderTable(columns, wide, { colors: colorsOf(true) });
    expect(text).toContain('\u001b[32mx\u001b[39m');
    const plain = stripVTControlCharacters(text).split('\n');
    expect(plain).toEqual(['ID    N  NAME', '日本  1  x', 'ab    2  y']);
  });
});

describe('fitWidths', () => {
  it('cuts the widest shrinkable column first, down to its minimum, and leaves the others', () => {
    expect(fitWidths([10, 40, 20], [false, true, true], [10, 10, 10], undefined)).toEqual([10, 40, 20]);
    expect(fitWidths([10, 40, 20], [false, true, true], [10, 10, 10], 60)).toEqual([10, 26, 20]);
    expect(fitWidths([10, 40, 20], [false, true, true], [10, 10, 10], 40)).toEqual([10, 13, 13]);
    // It cannot fit: every shrinkable column at its minimum, the rest as they are.
    expect(fitWidths([10, 40, 20], [false, true, true], [10, 10, 10], 5)).toEqual([10, 10, 10]);
  });
});

describe('renderFields', () => {
  it('pads the labels to one width and leaves out empty values', () => {
    expect(renderFields([['ID', 'x'], ['Event', ''], ['Created', 'today']], colorsOf(false))).toBe('ID       x\nCreated  today');
  });
});
