import { describe, expect, it } from 'vitest';
import { decodeCommit, encodeCommit, eventTypesHeader, validateCommit } from './commit-codec.js';
import { hasErrorCode, MalformedCommit } from './errors.js';

const stored = (data: string | Uint8Array, seq = 7) => ({
  seq,
  subject: 'tasks.evt.t1',
  time: '2026-11-22T10:00:00.000Z',
  data: typeof data === 'string' ? new TextEncoder().encode(data) : data,
});

describe('commit codec', () => {
  const events = [
    { type: 'TaskCreated', taskId: 't1', data: { name: 'x' } },
    { type: 'SubTaskQueued', taskId: 't1', data: {} },
  ];

  it('round-trips a commit and names its event types', () => {
    const commit = decodeCommit(stored(encodeCommit(events)), 't1');
    expect(commit).toEqual({ seq: 7, subject: 'tasks.evt.t1', time: '2026-11-22T10:00:00.000Z', events });
    expect(eventTypesHeader(events)).toBe('TaskCreated,SubTaskQueued');
  });

  it('refuses an empty commit, an event of another task and an unusable type', () => {
    expect(() => validateCommit('t1', [])).toThrow(/at least one event/);
    expect(() => validateCommit('t1', [{ type: 'A', taskId: 't2' }])).toThrow(/belongs to task "t2"/);
    expect(() => validateCommit('t1', [{ type: 'A,B', taskId: 't1' }])).toThrow(/type must be/);
    let error: unknown;
    try {
      validateCommit('t1', []);
    } catch (err) {
      error = err;
    }
    expect(hasErrorCode(error, 'INVALID_COMMIT')).toBe(true);
  });

  it.each([
    ['not JSON', 'hello', /not UTF-8 JSON/],
    ['not UTF-8', new Uint8Array([0xff, 0xfe, 0x7b]), /not UTF-8 JSON/],
    ['no events array', '{"event":{}}', /no "events" array/],
    ['a JSON array', '[1]', /no "events" array/],
    ['null', 'null', /no "events" array/],
    ['an empty commit', '{"events":[]}', /is empty/],
    ['an untyped event', '{"events":[{"taskId":"t1"}]}', /events\[0\] has no string "type"/],
    ['an event of another task', '{"events":[{"type":"A","taskId":"t9"}]}', /belongs to task "t9"/],
  ])('reports %s as a MalformedCommit with its sequence', (_, data, reason) => {
    let error: unknown;
    try {
      decodeCommit(stored(data, 42), 't1');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MalformedCommit);
    expect(error).toMatchObject({ code: 'MALFORMED_COMMIT', seq: 42, subject: 'tasks.evt.t1' });
    expect((error as Error).message).toMatch(reason);
  });
});
