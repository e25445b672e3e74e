import { evolve, initialState, type Task, type TaskEvent } from '@vle/domain';
import { describe, expect, it } from 'vitest';
import { deadlinesOf, parseDeadline } from './deadline.js';

const TASK = '0190a7e2-0000-7000-8000-00000000e001';
const T0 = '2026-11-22T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

function created(extra: Record<string, unknown>): Task {
  const event = { type: 'TaskCreated', version: 1, taskId: TASK, at: T0, actor: 'alice', data: { name: 't', createdBy: 'alice', subtasks: [], ...extra } } as TaskEvent;
  return evolve(initialState, event) as Task;
}

describe('the deadlines of a Task', () => {
  it('are its start, its start deadline and no timeout yet when it waits for startAt', () => {
    expect(deadlinesOf(created({ startAt: at(60), startBefore: at(120), timeoutSeconds: 30 }), 'created')).toEqual([
      { taskId: TASK, command: 'start', dueAt: at(60) },
      { taskId: TASK, command: 'expire-start', dueAt: at(120) },
    ]);
  });

  it('count the timeout from the creation of a Task that runs at once, and from TaskStarted of a delayed one', () => {
    expect(deadlinesOf(created({ timeoutSeconds: 30 }), 'created')).toEqual([{ taskId: TASK, command: 'time-out', dueAt: at(30) }]);
    const delayed = created({ startAt: at(60), timeoutSeconds: 30 });
    const started = evolve(delayed, { type: 'TaskStarted', version: 1, taskId: TASK, at: at(61), actor: 'system', data: {} }) as Task;
    expect(deadlinesOf(started, 'started')).toEqual([{ taskId: TASK, command: 'time-out', dueAt: at(91) }]);
  });

  it('are none for a Task without startAt, startBefore or timeoutSeconds, or a startAt already passed', () => {
    expect(deadlinesOf(created({}), 'created')).toEqual([]);
    expect(deadlinesOf(created({ startAt: at(-5) }), 'created')).toEqual([]);
  });
});

describe('a deadline message', () => {
  const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

  it('is read back as it was recorded', () => {
    expect(parseDeadline(bytes({ taskId: TASK, command: 'time-out', dueAt: at(30) }))).toEqual({ taskId: TASK, command: 'time-out', dueAt: at(30) });
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['no object', '"x"', 'not a JSON object'],
    ['no task id', { command: 'start', dueAt: T0 }, 'taskId: must be a non-empty string'],
    ['an unknown command', { taskId: TASK, command: 'explode', dueAt: T0 }, 'command: must be one of start, expire-start, time-out'],
    ['a bad time', { taskId: TASK, command: 'start', dueAt: 'soon' }, 'dueAt: must be an ISO 8601 time'],
  ])('is refused with the reason when it has %s', (_what, value, reason) => {
    expect(parseDeadline(bytes(value))).toBe(reason);
  });
});
