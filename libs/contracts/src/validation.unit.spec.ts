import { describe, expect, it } from 'vitest';
import { ContractError } from './errors.js';
import { CreateTaskSchema } from './gen/vle/tasks/v1/commands_pb.js';
import { MAX_JSON_DEPTH } from './limits.js';
import { parseMessage } from './validation.js';

const valid = {
  name: 'Clone VMs',
  createdBy: 'alice',
  subtasks: [
    { key: 'a', name: 'A', action: 'noop', queue: 'bench' },
    { key: 'b', name: 'B', action: 'noop', queue: 'bench', dependsOn: ['a'], params: { n: 1 } },
  ],
};

function rejection(raw: unknown): ContractError {
  try {
    parseMessage(CreateTaskSchema, raw);
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError');
}

describe('parseMessage', () => {
  it('accepts a valid command and maps JSON names', () => {
    const command = parseMessage(CreateTaskSchema, JSON.stringify(valid));
    expect(command.createdBy).toBe('alice');
    expect(command.subtasks[1]?.dependsOn).toEqual(['a']);
    expect(command.subtasks[1]?.params).toEqual({ n: 1 });
  });

  it('names a missing required field by its JSON path', () => {
    const error = rejection({ ...valid, subtasks: [{ key: 'a', name: 'A', action: 'noop' }] });
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.violations).toContainEqual({ field: 'subtasks[0].queue', message: 'is required' });
    expect(error.message).toContain('subtasks[0].queue: is required');
  });

  it('reports malformed JSON', () => {
    const error = rejection('{"name": ');
    expect(error.code).toBe('MALFORMED_JSON');
  });

  it('refuses an empty message and a non-object', () => {
    expect(rejection('').code).toBe('MALFORMED_JSON');
    expect(rejection('[1,2]').violations).toEqual([{ field: '', message: 'must be a JSON object' }]);
  });

  it('refuses unknown fields, wrong types and bad values', () => {
    const error = rejection({ ...valid, colour: 'red', createdBy: 7, objectType: 'spaceship', startAt: 'tomorrow' });
    const fields = error.violations.map((v) => v.field);
    expect(fields).toEqual(expect.arrayContaining(['colour', 'createdBy', 'objectType', 'startAt']));
  });

  it('bounds a field of 1 MiB by its rule and a message over the limit by its size', () => {
    const huge = 'x'.repeat(1024 * 1024);
    expect(rejection({ ...valid, name: huge.slice(0, 300) }).violations[0]).toEqual({ field: 'name', message: 'must be at most 200 characters (is 300)' });
    expect(rejection({ ...valid, subtasks: [{ ...valid.subtasks[0], params: { blob: huge.slice(0, 70_000) } }] }).violations[0]?.field).toBe('subtasks[0].params');
    expect(rejection(JSON.stringify({ ...valid, name: huge })).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('checks patterns of keys', () => {
    const error = rejection({ ...valid, subtasks: [{ ...valid.subtasks[0], key: 'has space' }] });
    expect(error.violations[0]?.field).toBe('subtasks[0].key');
  });
});

describe('parseMessage on poison input (issue 8)', () => {
  const nested = (depth: number, leaf: unknown = 1): unknown => {
    let value = leaf;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
    return value;
  };
  // JSON.stringify itself recurses: deep documents are written as text.
  const nestedText = (depth: number): string => {
    let open = '';
    let close = '';
    for (let i = depth - 1; i >= 0; i--) {
      open += i % 2 === 0 ? '{"a":' : '[';
      close = (i % 2 === 0 ? '}' : ']') + close;
    }
    return `${open}1${close}`;
  };
  const withParams = (params: unknown) => ({ ...valid, subtasks: [{ ...valid.subtasks[0], params }] });

  it.each([100, 5_000, 10_000])('refuses params nested %i deep with the field and the limit, never a RangeError', (depth) => {
    const raw = JSON.stringify(withParams({ x: 'DEEP' })).replace('"DEEP"', nestedText(depth));
    const error = rejection(raw);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.violations).toHaveLength(1);
    expect(error.violations[0]!.field.startsWith('subtasks[0].params.x')).toBe(true);
    expect(error.violations[0]!.message).toBe(`nests deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('accepts params nested within the limit', () => {
    expect(parseMessage(CreateTaskSchema, withParams({ x: nested(MAX_JSON_DEPTH - 6) })).subtasks[0]?.params).toBeDefined();
  });

  it.each([
    ['a name', { ...valid, name: 'a\u0000b' }, 'name'],
    ['a param value', withParams({ note: 'a\u0000b' }), 'subtasks[0].params.note'],
    ['a param key', withParams({ 'no\u0000te': 1 }), 'subtasks[0].params'],
    ['a string in a list', { ...valid, subtasks: [valid.subtasks[0], { ...valid.subtasks[1], dependsOn: ['a\u0000'] }] }, 'subtasks[1].dependsOn[0]'],
  ])('refuses NUL in %s (PostgreSQL text and jsonb refuse it), naming the field', (_what, body, field) => {
    const error = rejection(JSON.stringify(body));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.violations[0]?.field).toBe(field);
    expect(error.violations[0]?.message).toMatch(/NUL/);
  });

  it.each([
    ['a name', '{"name":"a\\ud800b","createdBy":"c","subtasks":[{"key":"a","name":"A","action":"noop","queue":"bench"}]}', 'name'],
    ['a param', '{"name":"n","createdBy":"c","subtasks":[{"key":"a","name":"A","action":"noop","queue":"bench","params":{"x":"\\udc00"}}]}', 'subtasks[0].params.x'],
  ])('refuses a lone surrogate in %s, naming the field', (_what, raw, field) => {
    const error = rejection(raw);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.violations[0]).toEqual({ field, message: 'is not valid Unicode (a lone surrogate)' });
  });

  it('refuses bytes that are not UTF-8, naming the field that holds them', () => {
    const raw = Buffer.concat([Buffer.from('{"createdBy":"c","name":"'), Buffer.from([0xff, 0xc3]), Buffer.from('","subtasks":[{"key":"a","name":"A","action":"noop","queue":"bench"}]}')]);
    const error = rejection(new Uint8Array(raw));
    expect(error.code).toBe('MALFORMED_JSON');
    expect(error.violations).toEqual([{ field: 'name', message: 'is not valid UTF-8' }]);
  });

  it('refuses a __proto__ key anywhere, params included, naming it', () => {
    const raw = '{"name":"n","createdBy":"c","subtasks":[{"key":"a","name":"A","action":"noop","queue":"bench","params":{"ok":{"__proto__":{"polluted":true}}}}]}';
    const error = rejection(raw);
    expect(error.violations[0]).toEqual({ field: 'subtasks[0].params.ok.__proto__', message: 'is a reserved key' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
