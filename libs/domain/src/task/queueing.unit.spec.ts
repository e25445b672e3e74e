import { MAX_COMMIT_BYTES } from '@vle/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskCommand } from './commands.js';
import { commitBytes } from './commit-size.js';
import { decide } from './decide.js';
import type { TaskEvent } from './events.js';
import { evolveAll } from './evolve.js';
import { MAX_QUEUED_BYTES_PER_COMMIT } from './queueing.js';
import { initialState, type Task, type TaskState } from './state.js';
import { referenceEvolve, referenceReady, type ReferenceEvent } from './testing/reference-evolve.js';
import { cmd, createTask, draft, given, taskOf, types } from './testing.js';

it('keeps the SubTaskQueued of a commit to a quarter of the log\'s commit limit', () => {
  expect(MAX_QUEUED_BYTES_PER_COMMIT).toBeLessThanOrEqual(MAX_COMMIT_BYTES / 4);
});

describe('a SubTask 3,000 others wait on', () => {
  const hub = given([]).when(createTask([draft('hub'), ...Array.from({ length: 3000 }, (_, i) => draft(`d${i}`, ['hub']))])).history;

  it('queues them over the next commits, each within the budget, in creation order', () => {
    let history = [...hub, ...given(hub).when(cmd.start({ subTaskId: 'st-hub' })).events];
    const succeeded = given(history).when(cmd.succeed({ subTaskId: 'st-hub' }));
    const queuedAt = (events: readonly TaskEvent[]) => events.filter((e) => e.type === 'SubTaskQueued').map((e) => (e.type === 'SubTaskQueued' ? e.data.subTaskId : ''));
    const first = queuedAt(succeeded.events);
    expect(first.length).toBeGreaterThan(100);
    expect(first.length).toBeLessThan(3000);
    expect(commitBytes(succeeded.events) - commitBytes(succeeded.events.slice(0, 1))).toBeLessThanOrEqual(MAX_QUEUED_BYTES_PER_COMMIT);
    expect(first.slice(0, 3)).toEqual(['st-d0', 'st-d1', 'st-d2']);
    history = succeeded.history;
    // The next commits of the Task (here its first dependents' attempts) queue the rest.
    const queued = [...first];
    for (let i = 0; queued.length < 3000; i++) {
      const next = given(history).when(cmd.start({ subTaskId: queued[i]! }));
      expect(commitBytes(next.events)).toBeLessThan(MAX_COMMIT_BYTES / 2);
      queued.push(...queuedAt(next.events));
      history = next.history;
    }
    expect(queued).toEqual(Array.from({ length: 3000 }, (_, i) => `st-d${i}`));
    expect(taskOf(history).subtasks.filter((s) => s.status === 'blocked')).toEqual([]);
  });
});

it('queues all the SubTasks a decision makes ready when they fit, in the same commit', () => {
  const created = given([]).when(createTask([draft('a'), draft('b', ['a']), draft('c', ['a']), draft('d', ['b', 'c'])])).history;
  const afterA = given([...created, ...given(created).when(cmd.start({ subTaskId: 'st-a' })).events]).when(cmd.succeed({ subTaskId: 'st-a' }));
  expect(types(afterA.events)).toEqual(['SubTaskSucceeded', 'SubTaskQueued(st-b)', 'SubTaskQueued(st-c)']);
});

/**
 * Random lives of random DAGs through decide: after every commit, nothing the old rules call
 * ready is left unqueued, and the state is the old evolve's.
 */
describe('decide on random lives', () => {
  const dag = fc.integer({ min: 1, max: 8 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.record({ deps: fc.subarray(Array.from({ length: i }, (_, j) => `k${j}`)), bestEffort: fc.boolean() }))).map((specs) => specs.map(({ deps, bestEffort }, i) => draft(`k${i}`, deps, { bestEffort }))),
  );
  const steps = fc.array(fc.record({ pick: fc.nat(), action: fc.constantFrom('start', 'succeed', 'fail', 'failForGood', 'timeOut', 'retry', 'skip', 'lost') }), { maxLength: 40 });

  function commandFor(task: Task, pick: number, action: string): TaskCommand | undefined {
    const s = task.subtasks[pick % task.subtasks.length]!;
    const attempt = { subTaskId: s.id, generation: s.generation, attempt: s.attempt };
    switch (action) {
      case 'start':
        return cmd.start({ ...attempt, attempt: s.attempt + 1 }, { jobSeq: 100 * s.generation });
      case 'succeed':
        return cmd.succeed(attempt);
      case 'fail':
        return cmd.fail(attempt, 1000);
      case 'failForGood':
        return cmd.fail(attempt, null, true);
      case 'timeOut':
        return cmd.timeOut(attempt);
      case 'retry':
        return cmd.retry(s.id);
      case 'skip':
        return cmd.skip(s.id);
      default:
        return cmd.workerLost(s.id, s.generation);
    }
  }

  it('leaves nothing ready unqueued and folds as before', () => {
    fc.assert(
      fc.property(dag, steps, (drafts, life) => {
        let state: TaskState = initialState;
        let reference: TaskState = initialState;
        const apply = (events: TaskEvent[]) => {
          state = evolveAll(state, events);
          for (const e of events) reference = referenceEvolve(reference, e as ReferenceEvent);
          expect(state).toEqual(reference);
          if (reference.status !== 'absent') expect(referenceReady(reference)).toEqual([]);
        };
        apply(decide(createTask(drafts), state));
        for (const { pick, action } of life) {
          const command = commandFor(state as Task, pick, action);
          let events: TaskEvent[];
          try {
            events = decide(command!, state);
          } catch (error) {
            if ((error as { name?: string }).name === 'RuleViolation') continue;
            throw error;
          }
          apply(events);
        }
      }),
      { numRuns: 300 },
    );
  });
});
