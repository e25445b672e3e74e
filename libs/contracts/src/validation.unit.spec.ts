import { describe, expect, it } from 'vitest';
import { ContractError } from './errors.js';
import { CreateTaskSchema } from './gen/vle/tasks/v1/commands_pb.js';
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
