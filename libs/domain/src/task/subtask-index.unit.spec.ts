import { describe, expect, it } from 'vitest';
import { readySubTasks } from './dag.js';
import type { TaskEvent } from './events.js';
import { evolveAll } from './evolve.js';
import { initialState, type Task } from './state.js';
import { subTaskById, subTaskTally } from './subtask-index.js';
import { at, createTask, draft, given, TASK_ID, taskOf } from './testing.js';

function on(task: Task, ...events: TaskEvent[]): Task {
  return evolveAll(task, events) as Task;
}

function fact(type: string, data: object, seconds = 1): TaskEvent {
  return { type, version: 1, taskId: TASK_ID, at: at(seconds), actor: 'test', data } as TaskEvent;
}

const succeeded = (subTaskId: string) => [fact('SubTaskQueued', { subTaskId, generation: 1 }), fact('SubTaskAttemptStarted', { subTaskId, generation: 1, attempt: 1, jobId: `${subTaskId}:1` }), fact('SubTaskSucceeded', { subTaskId, generation: 1, attempt: 1 })];
const ids = (task: Task) => readySubTasks(task).map((s) => s.id);

describe('subTaskById', () => {
  const task = taskOf(given([]).when(createTask([draft('a'), draft('b', ['a']), draft('c', ['a'])])).history);

  it('finds each SubTask of a state, and none that is not there', () => {
    for (const s of task.subtasks) expect(subTaskById(task, s.id)).toBe(s);
    expect(subTaskById(task, 'st-x')).toBeUndefined();
  });

  it('answers for a state read back from JSON (no index yet) and for each state a fold makes', () => {
    const stored = JSON.parse(JSON.stringify(task)) as Task;
    expect(subTaskById(stored, 'st-c')).toBe(stored.subtasks[2]);
    const after = on(stored, ...succeeded('st-a'));
    expect(subTaskById(after, 'st-a')).toMatchObject({ status: 'success' });
    // The state folded from keeps its own SubTasks.
    expect(subTaskById(stored, 'st-a')).toMatchObject({ status: 'queued' });
  });
});

it('tallies the SubTasks of a state', () => {
  const task = taskOf(given([]).when(createTask([draft('a'), draft('b', [], { bestEffort: true }), draft('c', ['a'])])).history);
  const after = on(task, fact('SubTaskAttemptStarted', { subTaskId: 'st-a', generation: 1, attempt: 1, jobId: 'j' }), fact('SubTaskSucceeded', { subTaskId: 'st-a', generation: 1, attempt: 1 }), fact('SubTaskAttemptStarted', { subTaskId: 'st-b', generation: 1, attempt: 1, jobId: 'j' }), fact('SubTaskFailed', { subTaskId: 'st-b', generation: 1, attempt: 1, permanent: true }));
  expect(subTaskTally(task)).toEqual({ running: 0, inFlight: 2, finished: 0, failed: 0, requiredFailures: 0, begun: 0, everStarted: 0 });
  // c waits blocked: only decide queues it.
  expect(subTaskTally(after)).toEqual({ running: 0, inFlight: 0, finished: 2, failed: 1, requiredFailures: 0, begun: 2, everStarted: 2 });
  expect(subTaskTally(JSON.parse(JSON.stringify(after)) as Task)).toEqual(subTaskTally(after));
});

describe('readiness', () => {
  it('follows the dependencies: a join is ready when its last dependency is done', () => {
    const join = taskOf(given([]).when(createTask([draft('a'), draft('b'), draft('c'), draft('d', ['a', 'b', 'c'])])).history);
    const afterA = on(join, ...succeeded('st-a').slice(1));
    expect(ids(afterA)).toEqual([]);
    const afterB = on(afterA, ...succeeded('st-b').slice(1));
    expect(ids(afterB)).toEqual([]);
    expect(ids(on(afterB, ...succeeded('st-c').slice(1)))).toEqual(['st-d']);
  });

  it('counts a best-effort failure as done, and takes it back when a person retries it', () => {
    const task = taskOf(given([]).when(createTask([draft('a', [], { bestEffort: true }), draft('b', ['a'])])).history);
    const failed = on(task, fact('SubTaskAttemptStarted', { subTaskId: 'st-a', generation: 1, attempt: 1, jobId: 'j' }), fact('SubTaskFailed', { subTaskId: 'st-a', generation: 1, attempt: 1, permanent: true }));
    expect(ids(failed)).toEqual(['st-b']);
    const retried = on(failed, fact('SubTaskRetryRequested', { subTaskId: 'st-a', generation: 2 }), fact('SubTaskQueued', { subTaskId: 'st-a', generation: 2 }));
    expect(ids(retried)).toEqual([]);
    // The state before the retry still says what it said.
    expect(ids(failed)).toEqual(['st-b']);
  });

  it('is none while the Task may not run, and every root once it may', () => {
    const scheduled = taskOf(given([]).when(createTask([draft('a'), draft('b', ['a']), draft('c')], { startAt: at(60) })).history);
    expect(scheduled.status).toBe('scheduled');
    expect(ids(scheduled)).toEqual([]);
    expect(ids(on(scheduled, fact('TaskStarted', {}, 60)))).toEqual(['st-a', 'st-c']);
    expect(ids(on(scheduled, fact('TaskStarted', {}, 60), fact('TaskCancelRequested', { cancelledSubTaskIds: [] }, 61)))).toEqual([]);
  });

  it('keeps two folds from one state apart', () => {
    const task = taskOf(given([]).when(createTask([draft('a'), draft('b', ['a']), draft('c', ['a'])])).history);
    const one = on(task, ...succeeded('st-a').slice(1));
    const other = on(task, fact('SubTaskAttemptStarted', { subTaskId: 'st-a', generation: 1, attempt: 1, jobId: 'j' }), fact('SubTaskFailed', { subTaskId: 'st-a', generation: 1, attempt: 1, permanent: true }));
    expect(ids(one)).toEqual(['st-b', 'st-c']);
    expect(ids(other)).toEqual([]);
    expect(other.status).toBe('failed');
    expect(one.status).toBe('queued');
  });

  it('is the same for a Task folded at once and one folded event by event', () => {
    const events = [...given([]).when(createTask([draft('a'), draft('b', ['a']), draft('c', ['b'])])).history, ...succeeded('st-a').slice(1), ...succeeded('st-b')];
    const atOnce = evolveAll(initialState, events) as Task;
    const byEvent = events.reduce<Task>((t, e) => (t === undefined ? (evolveAll(initialState, [e]) as Task) : on(t, e)), undefined as unknown as Task);
    expect(byEvent).toEqual(atOnce);
    expect(ids(atOnce)).toEqual(['st-c']);
    expect(ids(byEvent)).toEqual(['st-c']);
  });
});

it('keeps a `__proto__` that a log written by hand gave a SubTask as a plain field', () => {
  const planned = JSON.parse('{"id":"st-p","key":"p","name":"P","action":"noop","queue":"bench","params":{},"dependsOn":[],"bestEffort":false,"__proto__":{"status":"success"}}');
  const task = evolveAll(initialState, [{ type: 'TaskCreated', version: 1, taskId: TASK_ID, at: at(0), actor: 'x', data: { name: 'x', createdBy: 'x', subtasks: [planned] } }]) as Task;
  expect(Object.getPrototypeOf(task.subtasks[0])).toBe(Object.prototype);
  expect(task.subtasks[0]!.status).toBe('blocked');
  expect(Object.hasOwn(task.subtasks[0]!, '__proto__')).toBe(true);
});
