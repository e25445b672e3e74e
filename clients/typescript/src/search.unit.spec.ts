// A quoted value is read back by the projection's own parser as exactly the value given.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSearch } from '../../../services/projection/src/query/filter/search-parser.js';
import { searchValue, taskIdQuery } from './search.js';

describe('searchValue', () => {
  it('quotes any text so that the search language reads it back unchanged', () => {
    expect(searchValue('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    // Printable text of the limits the language takes (no control characters, 200 per value).
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '"', "'", '\\', '(', ')', 'and', 'or', '~', '=', ',', 'é', '✓'), maxLength: 60 });
    fc.assert(
      fc.property(text, (value) => {
        expect(parseSearch(`name ~ ${searchValue(value)}`, 0)).toEqual({ kind: 'leaf', field: 'name', op: 'contains', values: [value] });
      }),
    );
  });

  it('makes the query of one Task', () => {
    const id = '0193c0de-0000-7000-8000-000000000000';
    expect(taskIdQuery(id)).toBe(`id = "${id}"`);
    expect(parseSearch(taskIdQuery(id), 0)).toEqual({ kind: 'leaf', field: 'id', op: 'eq', values: [id] });
  });
});
