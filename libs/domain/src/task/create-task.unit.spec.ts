// A Task too large for one commit, created in parts by the same CreateTask handled again and again.

import { MAX_COMMIT_BYTES, MAX_CREATION_COMMIT_BYTES } from '@vle/contracts';
import { describe, expect, it } from 'vitest';
import type { CreateTask, SubTaskDraft } from './commands.js';
import { commitBytes } from './commit-size.js';
import { PLANNING_WINDOW_MS } from './create-task.js';
import { decide } from './decide.js';
import type { TaskEvent } from './events.js';
import { evolveAll } from './evolve.js';
import { initialState, type Task, type TaskState } from './state.js';
import { at, cmd, createTask, draft, fold, given, T0, taskOf, types, violation } from './testing.js';

/** SubTasks with ids of the real length (36 characters), so that sizes are those of production. */
function drafts(count: number, shape: 'fan-out' | 'chain'): SubTaskDraft[] {
  return Array.from({ length: count }, (_, i) => ({
    ...draft(`k${i}`, shape === 'chain' && i > 0 ? [`k${i - 1}`] : []),
    id: `0190a7e2-1111-7000-8000-${String(i).padStart(12, '0')}`,
  }));
}

/** Handles the create while the Task is being planned (what the task-api use case does): its commits. */
function createInParts(command: CreateTask, history: readonly TaskEvent[] = []): { commits: TaskEvent[][]; state: TaskState } {
  const commits: TaskEvent[][] = [];
  let state = fold(history);
  do {
    const events = decide(command, state);
    if (events.length === 0) break;
    commits.push(events);
    state = evolveAll(state, events);
  } while (state.status === 'planning');
  return { commits, state };
}

/** Every SubTask queued is started and succeeds, those it makes ready too, until none is left. */
function runToEnd(history: readonly TaskEvent[]): Task & { biggestCommit: number } {
  let task = taskOf(history);
  let biggestCommit = 0;
  const queue = history.filter((e) => e.type === 'SubTaskQueued').map((e) => (e.type === 'SubTaskQueued' ? e.data.subTaskId : ''));
  for (let head = 0; head < queue.length; head++) {
    for (const command of [cmd.start({ subTaskId: queue[head]! }), cmd.succeed({ subTaskId: queue[head]! })]) {
      const events = decide(command, task);
      biggestCommit = Math.max(biggestCommit, commitBytes(events));
      for (const e of events) if (e.type === 'SubTaskQueued') queue.push(e.data.subTaskId);
      task = evolveAll(task, events) as Task;
    }
  }
  return Object.assign(task, { biggestCommit });
}

const keyed = { idempotencyKey: 'k', requestHash: 'h' };

describe('a Task too large for one commit', () => {
  const command = createTask(drafts(100, 'fan-out'), { ...keyed, maxCommitBytes: 4096 });

  it('is created in parts, each commit within the size, nothing queued before the last', () => {
    const { commits, state } = createInParts(command);
    expect(commits.length).toBeGreaterThan(2);
    for (const commit of commits) expect(commitBytes(commit)).toBeLessThanOrEqual(4096);
    expect(types(commits[0]!)).toEqual(['TaskCreated']);
    expect(commits[0]![0]).toMatchObject({ data: { subtaskCount: 100, planBefore: new Date(Date.parse(T0) + PLANNING_WINDOW_MS).toISOString() } });
    commits.slice(1).forEach((commit, i) => expect(commit[0]).toMatchObject({ type: 'SubTasksPlanned', data: { part: i + 1 } }));
    expect(commits.slice(0, -1).flat().filter((e) => e.type === 'SubTaskQueued')).toEqual([]);
    const queued = commits.at(-1)!.filter((e) => e.type === 'SubTaskQueued');
    expect(queued.length).toBeGreaterThan(0);
    expect((state as Task).subtasks.map((s) => s.id)).toEqual(command.subtasks.map((d) => d.id));
  });

  it('is planning, with progress over all its SubTasks, until the last part is in', () => {
    const { commits } = createInParts(command);
    const first = taskOf(commits[0]!);
    expect(first).toMatchObject({ status: 'planning', planning: { total: 100, parts: 1 }, progress: 0 });
    expect(first.subtasks.length).toBeLessThan(100);
    const planned = taskOf(commits.flat());
    expect(planned.status).toBe('queued');
    expect(planned.planning).toBeUndefined();
  });

  it('ends planned as the same Task created in one commit', () => {
    const whole = runToEnd(given([]).when({ ...command, maxCommitBytes: undefined }).history);
    const parted = runToEnd(createInParts(command).commits.flat());
    expect(parted.status).toBe('success');
    // Its parts and the commits that queued the rest of its first SubTasks are more events.
    expect({ ...parted, version: 0, biggestCommit: 0 }).toEqual({ ...whole, version: 0, biggestCommit: 0 });
  });

  it('is resumed by the same create after a stop half way, and not created twice', () => {
    const { commits } = createInParts(command);
    const halfWay = commits.slice(0, 2).flat();
    const resumed = createInParts({ ...command, at: at(30) }, halfWay);
    expect(resumed.commits.map((c) => c[0]!.type)).toEqual(commits.slice(2).map((c) => c[0]!.type));
    expect((resumed.state as Task).subtasks).toHaveLength(100);
    expect(decide(command, resumed.state)).toEqual([]);
  });

  it('refuses another request with the same key, planned or not', () => {
    const halfWay = createInParts(command).commits.slice(0, 1).flat();
    expect(violation(() => given(halfWay).when({ ...command, requestHash: 'other' })).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(violation(() => given(halfWay).when({ ...command, subtasks: command.subtasks.slice(1) })).code).toBe('TASK_EXISTS');
  });

  it('without a key is continued by its own create only while it is planning', () => {
    const keyless = createTask(drafts(100, 'fan-out'), { maxCommitBytes: 4096 });
    const { commits } = createInParts(keyless);
    expect(commits.length).toBeGreaterThan(2);
    expect(violation(() => given(commits.flat()).when(keyless)).code).toBe('TASK_EXISTS');
  });

  it('refuses a person\'s retry or skip while planning; a cancel ends it, and the create then stops', () => {
    const halfWay = createInParts(command).commits.slice(0, 1).flat();
    const first = taskOf(halfWay).subtasks[0]!.id;
    expect(violation(() => given(halfWay).when(cmd.skip(first))).code).toBe('TASK_PLANNING');
    expect(violation(() => given(halfWay).when(cmd.retry(first))).code).toBe('TASK_PLANNING');
    const cancelled = given(halfWay).when(cmd.cancel(at(5)));
    expect(cancelled.task()).toMatchObject({ status: 'cancelled', cancelRequested: true });
    expect(cancelled.task().subtasks.every((s) => s.status === 'cancelled')).toBe(true);
    expect(decide(command, fold(cancelled.history))).toEqual([]);
  });

  it('waits for startAt as any Task: started while planning, it queues with its last part', () => {
    const later = createTask(drafts(100, 'fan-out'), { ...keyed, maxCommitBytes: 4096, startAt: at(60) });
    const { commits } = createInParts(later);
    const firstPart = commits[0]!;
    const started = given(firstPart).when(cmd.startTask(at(60)));
    expect(types(started.events)).toEqual(['TaskStarted']);
    expect(started.task().status).toBe('planning');
    const rest = createInParts(later, started.history);
    expect(rest.commits.at(-1)!.some((e) => e.type === 'SubTaskQueued')).toBe(true);
    expect((rest.state as Task).status).toBe('queued');
  });
});

describe('a plan nobody completes', () => {
  const command = createTask(drafts(100, 'fan-out'), { ...keyed, maxCommitBytes: 4096 });
  const halfWay = createInParts(command).commits.slice(0, 2).flat();
  const deadline = new Date(Date.parse(T0) + PLANNING_WINDOW_MS).toISOString();

  it('has its planning deadline as its start deadline: the scheduler ends it there, unstarted', () => {
    const task = taskOf(halfWay);
    expect(task.startBefore).toBe(deadline);
    expect(violation(() => given(halfWay).when(cmd.expireStart(at(60)))).code).toBe('DEADLINE_NOT_DUE');
    const expired = given(halfWay).when(cmd.expireStart(deadline));
    expect(types(expired.events)).toEqual(['TaskStartDeadlineMissed']);
    expect(expired.task()).toMatchObject({ status: 'timed_out', endReason: 'START_DEADLINE_MISSED' });
    expect(expired.task().subtasks.every((s) => s.status === 'cancelled' && s.responseCode === 'START_DEADLINE_MISSED')).toBe(true);
    // The create retried after that changes nothing: the Task is over.
    expect(decide(command, fold(expired.history))).toEqual([]);
  });

  it('loses that deadline once planned: it was not the creator\'s', () => {
    const planned = createInParts(command, halfWay);
    const task = planned.state as Task;
    expect(task.startBefore).toBeUndefined();
    expect(decide(cmd.expireStart(deadline), task)).toEqual([]);
  });

  it('keeps the creator\'s own start deadline, which ends it the same way', () => {
    const own = createTask(drafts(100, 'fan-out'), { ...keyed, maxCommitBytes: 4096, startBefore: at(7200) });
    const first = createInParts(own).commits[0]!;
    expect(taskOf(first)).toMatchObject({ startBefore: at(7200), planning: { total: 100, parts: 1 } });
    expect(taskOf(first).planning?.deadline).toBeUndefined();
    expect(types(given(first).when(cmd.expireStart(at(7200))).events)).toEqual(['TaskStartDeadlineMissed']);
  });

  it('is also ended by its timeout, which counts from its creation', () => {
    const timed = createTask(drafts(100, 'fan-out'), { ...keyed, maxCommitBytes: 4096, timeoutSeconds: 600 });
    const first = createInParts(timed).commits[0]!;
    expect(given(first).when(cmd.timeOutTask(at(600))).task()).toMatchObject({ status: 'timed_out', endReason: 'TASK_TIMEOUT' });
  });
});

describe('Tasks of 10,000 SubTasks', () => {
  it.each(['fan-out', 'chain'] as const)('a %s is created in commits within the limit, and runs to success', (shape) => {
    const command = createTask(drafts(10_000, shape), { ...keyed, maxCommitBytes: MAX_CREATION_COMMIT_BYTES });
    const { commits, state } = createInParts(command);
    expect(commits.length).toBeGreaterThan(1);
    for (const commit of commits) expect(commitBytes(commit)).toBeLessThanOrEqual(MAX_CREATION_COMMIT_BYTES);
    expect((state as Task).subtasks).toHaveLength(10_000);
    const done = runToEnd(commits.flat());
    expect(done).toMatchObject({ status: 'success', progress: 1 });
    // Every commit of its life too: a fan-out's first SubTasks are queued some 1,000 at a time.
    expect(done.biggestCommit).toBeLessThan(MAX_COMMIT_BYTES / 2);
  });

  it('cancels in one commit within the limit', () => {
    const { state } = createInParts(createTask(drafts(10_000, 'fan-out'), { ...keyed, maxCommitBytes: MAX_CREATION_COMMIT_BYTES }));
    const events = decide(cmd.cancel(at(1)), state);
    expect(commitBytes(events)).toBeLessThan(MAX_COMMIT_BYTES / 2);
    expect((evolveAll(state, events) as Task).subtasks.every((s) => s.status === 'cancelled')).toBe(true);
  });
});

it('a small Task is one TaskCreated, as without parts', () => {
  const command = createTask([draft('a'), draft('b', ['a'])], { maxCommitBytes: MAX_CREATION_COMMIT_BYTES });
  expect(decide(command, initialState)).toEqual(decide({ ...command, maxCommitBytes: undefined }, initialState));
});
