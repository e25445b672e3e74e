import { describe, expect, it } from 'vitest';
import { MAX_CONDITIONS, MAX_DEPTH, parseSearch, SearchSyntaxError } from './search-parser.js';

const NOW = Date.parse('2026-12-01T12:34:56.789Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const parse = (q: string) => parseSearch(q, NOW);

function refusal(q: string): { position: number; problem: string } {
  try {
    parse(q);
  } catch (error) {
    expect(error).toBeInstanceOf(SearchSyntaxError);
    const e = error as SearchSyntaxError;
    expect(e.message).toBe(`column ${e.position + 1}: ${e.problem}`);
    return { position: e.position, problem: e.problem };
  }
  throw new Error(`${JSON.stringify(q)} was accepted`);
}

describe('parseSearch', () => {
  it('reads the examples of the issue', () => {
    expect(parse('status = failed and queue = pve_vm_clone and created_at > "2 hours ago"')).toEqual({
      kind: 'and',
      items: [
        { kind: 'leaf', field: 'status', op: 'eq', values: ['failed'] },
        { kind: 'leaf', field: 'queue', op: 'eq', values: ['pve_vm_clone'] },
        { kind: 'leaf', field: 'created_at', op: 'gt', values: [NOW - 2 * HOUR] },
      ],
    });
    expect(parse('name ~ clone')).toEqual({ kind: 'leaf', field: 'name', op: 'contains', values: ['clone'] });
    expect(parse('event = 42')).toEqual({ kind: 'leaf', field: 'event', op: 'eq', values: ['42'] });
    expect(parse('user = alice or user = bob')).toEqual({
      kind: 'or',
      items: [
        { kind: 'leaf', field: 'user', op: 'eq', values: ['alice'] },
        { kind: 'leaf', field: 'user', op: 'eq', values: ['bob'] },
      ],
    });
  });

  it('binds and tighter than or, takes juxtaposition, & and | too, and parentheses', () => {
    const a = { kind: 'leaf', field: 'user', op: 'eq', values: ['a'] };
    const b = { kind: 'leaf', field: 'user', op: 'eq', values: ['b'] };
    const c = { kind: 'leaf', field: 'user', op: 'eq', values: ['c'] };
    expect(parse('user = a or user = b and user = c')).toEqual({ kind: 'or', items: [a, { kind: 'and', items: [b, c] }] });
    expect(parse('(user = a | user = b) user = c')).toEqual({ kind: 'and', items: [{ kind: 'or', items: [a, b] }, c] });
    expect(parse('user=a && user=b || user=c')).toEqual({ kind: 'or', items: [{ kind: 'and', items: [a, b] }, c] });
    expect(parse('USER = a AND user = b')).toEqual({ kind: 'and', items: [a, b] });
  });

  it('reads not, the negated operators, lists, set? and null?', () => {
    const failed = { kind: 'leaf', field: 'status', op: 'eq', values: ['failed'] };
    expect(parse('not status = failed')).toEqual({ kind: 'not', item: failed });
    expect(parse('!status = failed')).toEqual({ kind: 'not', item: failed });
    expect(parse('status != failed')).toEqual({ kind: 'not', item: failed });
    expect(parse('name !~ "x y"')).toEqual({ kind: 'not', item: { kind: 'leaf', field: 'name', op: 'contains', values: ['x y'] } });
    expect(parse('status ^ (failed, cancelled)')).toEqual({ kind: 'leaf', field: 'status', op: 'in', values: ['failed', 'cancelled'] });
    expect(parse('status !^ (success)')).toEqual({ kind: 'not', item: { kind: 'leaf', field: 'status', op: 'in', values: ['success'] } });
    expect(parse('set? event')).toEqual({ kind: 'leaf', field: 'event', op: 'set', values: [] });
    expect(parse('null? finished_at')).toEqual({ kind: 'not', item: { kind: 'leaf', field: 'finished_at', op: 'set', values: [] } });
  });

  it('takes aliases, enum values in any case, objects with or without a type, and a bare value as the name', () => {
    expect(parse('created_by = alice')).toEqual({ kind: 'leaf', field: 'user', op: 'eq', values: ['alice'] });
    expect(parse('status = FAILED')).toEqual({ kind: 'leaf', field: 'status', op: 'eq', values: ['failed'] });
    expect(parse('object = vm:123')).toEqual({ kind: 'leaf', field: 'object', op: 'eq', values: [{ type: 'vm', id: '123' }] });
    expect(parse('object_id = 123')).toEqual({ kind: 'leaf', field: 'object', op: 'eq', values: [{ id: '123' }] });
    expect(parse('object = "x:1"')).toEqual({ kind: 'leaf', field: 'object', op: 'eq', values: [{ id: 'x:1' }] });
    expect(parse('clone "lab 7"')).toEqual({
      kind: 'and',
      items: [
        { kind: 'leaf', field: 'name', op: 'contains', values: ['clone'] },
        { kind: 'leaf', field: 'name', op: 'contains', values: ['lab 7'] },
      ],
    });
    expect(parse('name ~ "say \\"hi\\" \\\\ o"')).toEqual({ kind: 'leaf', field: 'name', op: 'contains', values: ['say "hi" \\ o'] });
    expect(parse('name = and')).toEqual({ kind: 'leaf', field: 'name', op: 'eq', values: ['and'] });
    expect(parse('')).toBeUndefined();
    expect(parse('   ')).toBeUndefined();
  });

  it('reads times: relative ones against now, dates as UTC days, = as the whole day', () => {
    const today = Date.parse('2026-12-01T00:00:00Z');
    expect(parse('created_at >= "30 minutes ago"')).toEqual({ kind: 'leaf', field: 'created_at', op: 'ge', values: [NOW - 30 * 60_000] });
    expect(parse('updated < "1 week ago"')).toEqual({ kind: 'leaf', field: 'updated_at', op: 'lt', values: [NOW - 7 * DAY] });
    expect(parse('created_at = today')).toEqual({ kind: 'leaf', field: 'created_at', op: 'during', values: [today, today + DAY] });
    expect(parse('created_at = yesterday')).toEqual({ kind: 'leaf', field: 'created_at', op: 'during', values: [today - DAY, today] });
    expect(parse('created_at = 2026-11-22')).toEqual({ kind: 'leaf', field: 'created_at', op: 'during', values: [Date.parse('2026-11-22T00:00:00Z'), Date.parse('2026-11-23T00:00:00Z')] });
    expect(parse('finished_at <= 2026-11-22T10:00:00+01:00')).toEqual({ kind: 'leaf', field: 'finished_at', op: 'le', values: [Date.parse('2026-11-22T09:00:00Z')] });
    expect(parse('created_at != 2026-11-22')).toMatchObject({ kind: 'not', item: { op: 'during' } });
    expect(parse('created_at < 9999-12-30')).toEqual({ kind: 'leaf', field: 'created_at', op: 'lt', values: [Date.parse('9999-12-30T00:00:00Z')] });
  });

  it.each([
    ['status = done', 9, '"done" is not a status (one of planning'],
    ['state = failed', 0, "'state' is not a field (fields: id, name, status"],
    ['status ~ fail', 7, "'~' does not apply to status (use = != ^ !^)"],
    ['created_at ~ today', 11, "'~' does not apply to created_at"],
    ['name ~', 6, 'expected a value of name, found the end of the query'],
    ['name = )', 7, "expected a value of name, found ')'"],
    ['name ~ "open', 7, 'the string opened here is not closed with "'],
    ['(status = failed', 16, "expected ')' to close the '(' at column 1, found the end of the query"],
    ['status = failed)', 15, "')' closes no '('"],
    ['and status = failed', 0, "expected a condition before 'and'"],
    ['status = failed and', 19, 'expected a condition, found the end of the query'],
    ['status = failed or or', 19, "expected a condition before 'or'"],
    ['= failed', 0, "expected a condition, found '='"],
    ['created_at > 2 hours ago', 13, "'2' is not a time (2026-11-22"],
    ['created_at > "2 fortnights ago"', 13, 'is not a time'],
    ['created_at > 2026-02-30', 13, 'is not a time'],
    ['created_at > 99999-01-01', 13, 'is not a time'],
    // Found by the fuzz test: the day's end would be year 10000, which PostgreSQL refuses (a 500).
    ['updated_at != 9999-12-31', 14, 'is not a time'],
    ['created_at > 1969-12-31', 13, 'is not a time'],
    ['id = 42', 5, '"42" is not a uuid, as id is'],
    ['origin ^ (0190a7e2-0000-7000-8000-000000000001 0190a7e2-0000-7000-8000-000000000002)', 47, "expected ',' or ')' in the list opened at column 10"],
    ['set? name', 5, 'name always has a value: set? and null? do not apply to it'],
    ['null? colour', 6, "'colour' is not a field"],
    ['name = "a\u0000b"', 9, 'control character U+0000 is not allowed'],
    ['name = a\u0007', 8, 'control character U+0007'],
    ['name = "\ud800"', 8, 'lone surrogate'],
    [`name = ${'x'.repeat(201)}`, 7, 'a value of name must be at most 200 characters'],
  ])('refuses %j at column %i + 1', (query, position, problem) => {
    expect(refusal(query)).toEqual({ position, problem: expect.stringContaining(problem) });
  });

  it('bounds the depth, the conditions and the length', () => {
    expect(refusal(`${'('.repeat(MAX_DEPTH + 1)}name = a${')'.repeat(MAX_DEPTH + 1)}`)).toEqual({ position: MAX_DEPTH, problem: expect.stringContaining('nested too deeply') });
    expect(refusal(`${'not '.repeat(MAX_DEPTH + 1)}name = a`).problem).toContain('nested too deeply');
    expect(parse(`${'('.repeat(MAX_DEPTH)}name = a${')'.repeat(MAX_DEPTH)}`)).toEqual({ kind: 'leaf', field: 'name', op: 'eq', values: ['a'] });
    expect(refusal(Array.from({ length: MAX_CONDITIONS + 1 }, (_, i) => `user = u${i}`).join(' or ')).problem).toContain(`too many conditions (at most ${MAX_CONDITIONS})`);
    expect(refusal('x'.repeat(1001))).toEqual({ position: 1000, problem: 'the query is longer than 1000 characters' });
  });

  it('keeps a valid pair of surrogates, tabs and newlines', () => {
    expect(parse('name ~ "🙂"\tor\nname ~ é')).toEqual({
      kind: 'or',
      items: [
        { kind: 'leaf', field: 'name', op: 'contains', values: ['🙂'] },
        { kind: 'leaf', field: 'name', op: 'contains', values: ['é'] },
      ],
    });
  });
});
