// The fold of issue 9 against the evolve it replaced (testing/reference-evolve.ts): for random
// DAGs and random sequences of every kind of event those logs hold (valid or not: a log is what it
// is, and evolve never throws), folded one event at a time, one commit at a time, all at once and
// through a JSON round trip (a state the projection stored), the states are equal, and so are the
// SubTasks the old rules call ready.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readySubTasks } from './dag.js';
import type { PlannedSubTask, TaskEvent } from './events.js';
import { evolve, evolveAll } from './evolve.js';
import { TaskFold } from './task-fold.js';
import { exists, initialState, type TaskState } from './state.js';
import { subTaskById } from './subtask-index.js';
import { referenceEvolve, referenceReady, type ReferenceEvent } from './testing/reference-evolve.js';

const TASK_ID = '0190a7e2-0000-7000-8000-0000000000aa';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const time = fc.integer({ min: -2, max: 6 }).map((s) => new Date(T0 + s * 1000).toISOString());

function event<E extends ReferenceEvent>(type: E['type'], at: string, data: E['data']): E {
  return { type, version: 1, taskId: TASK_ID, at, actor: 'prop', data } as E;
}

/** A DAG of up to 10 SubTasks: each may depend on earlier ones, any may be best effort. */
const dag = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => fc.record({ deps: fc.subarray(Array.from({ length: i }, (_, j) => j)), bestEffort: fc.boolean(), timeout: fc.option(fc.constant(30), { nil: undefined }) }))).map((specs) =>
    specs.map(({ deps, bestEffort, timeout }, i): PlannedSubTask => ({ id: `st-${i}`, key: `k${i}`, name: `Step ${i}`, action: 'noop', queue: 'bench', params: {}, dependsOn: deps.map((j) => `st-${j}`), bestEffort, timeoutSeconds: timeout })),
  ),
);

function eventsOn(subtasks: readonly PlannedSubTask[]): fc.Arbitrary<ReferenceEvent[]> {
  const ids = [...subtasks.map((s) => s.id), 'st-unknown'];
  const id = fc.constantFrom(...ids);
  const small = fc.integer({ min: 0, max: 3 });
  const someIds = fc.subarray(ids);
  const created = fc.record({ at: time, startAt: fc.option(time, { nil: undefined }), startBefore: fc.option(time, { nil: undefined }), timeoutSeconds: fc.option(fc.constant(60), { nil: undefined }) }).map(({ at, ...schedule }) =>
    event('TaskCreated', at, { name: 'prop', createdBy: 'prop', ...schedule, subtasks }),
  );
  const attempt = { subTaskId: id, generation: small, attempt: small };
  const response = { responseCode: fc.option(fc.constantFrom('OK', 'E'), { nil: undefined }), responseMessage: fc.option(fc.constant('m'), { nil: undefined }) };
  const anyEvent: fc.Arbitrary<ReferenceEvent> = fc.oneof(
    fc.tuple(time).map(([at]) => event('TaskStarted', at, {})),
    fc.tuple(time, fc.record({ subTaskId: id, generation: small })).map(([at, data]) => event('SubTaskQueued', at, { ...data, queue: 'bench', action: 'noop' })),
    fc.tuple(time, fc.record({ ...attempt, jobSeq: fc.option(small, { nil: undefined }), deliveryId: fc.option(fc.constantFrom('d1', 'd2'), { nil: undefined }) })).map(([at, data]) => event('SubTaskAttemptStarted', at, { ...data, jobId: `${data.subTaskId}:${data.generation}` })),
    fc.tuple(time, fc.record({ ...attempt, ...response })).map(([at, data]) => event('SubTaskSucceeded', at, data)),
    fc.tuple(time, time, fc.record({ ...attempt, ...response })).map(([at, next, data]) => event('SubTaskAttemptFailed', at, { ...data, nextAttemptAt: next })),
    fc.tuple(time, fc.record({ ...attempt, ...response, permanent: fc.boolean() })).map(([at, data]) => event('SubTaskFailed', at, data)),
    fc.tuple(time, fc.record(attempt)).map(([at, data]) => event('SubTaskTimedOut', at, { ...data, timeoutSeconds: 30 })),
    fc.tuple(time, fc.record({ subTaskId: id, generation: small })).map(([at, data]) => event('SubTaskRetryRequested', at, data)),
    fc.tuple(time, id).map(([at, subTaskId]) => event('SubTaskSkipped', at, { subTaskId })),
    fc.tuple(time, fc.record(attempt)).map(([at, data]) => event('SubTaskObjectReserved', at, { ...data, objectType: 'vm', objectId: '4101' })),
    fc.tuple(time).map(([at]) => event('TaskCancelRequested', at, { reason: 'r' })),
    fc.tuple(time, id).map(([at, subTaskId]) => event('SubTaskCancelled', at, { subTaskId })),
    fc.tuple(time, time, someIds).map(([at, startBefore, ids]) => event('TaskStartDeadlineMissed', at, { reason: 'START_DEADLINE_MISSED', startBefore, cancelledSubTaskIds: ids })),
    fc.tuple(time, someIds, someIds).map(([at, timedOut, cancelled]) => event('TaskTimedOut', at, { reason: 'TASK_TIMEOUT', timeoutSeconds: 60, timedOutSubTaskIds: timedOut, cancelledSubTaskIds: cancelled })),
    created,
    fc.tuple(time).map(([at]) => ({ ...event('TaskStarted', at, {}), type: 'SomethingNewer' }) as unknown as ReferenceEvent),
  );
  // Mostly a creation first, then anything; sometimes events before it (ignored) or none.
  return fc.tuple(fc.array(anyEvent, { maxLength: 2 }), created, fc.array(anyEvent, { maxLength: 60 })).map(([before, create, after]) => [...before, create, ...after]);
}

const lives = dag.chain((subtasks) => fc.tuple(eventsOn(subtasks), fc.array(fc.nat(), { maxLength: 12 }), fc.nat()));

/** `events` cut at the given points: the commits of a log. */
function commitsOf(events: readonly TaskEvent[], cuts: readonly number[]): TaskEvent[][] {
  const points = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b);
  const commits: TaskEvent[][] = [];
  let from = 0;
  for (const point of [...points, events.length]) {
    if (point > from) commits.push(events.slice(from, point));
    from = Math.max(from, point);
  }
  return commits;
}

const roundTrip = (state: TaskState): TaskState => JSON.parse(JSON.stringify(state)) as TaskState;
const readyIds = (state: TaskState) => (exists(state) ? readySubTasks(state).map((s) => s.id) : []);
const referenceReadyIds = (state: TaskState) => (exists(state) ? referenceReady(state).map((s) => s.id) : []);

describe('the fold of a commit', () => {
  it('gives the state the old evolve gave, one event at a time, a commit at a time, all at once and after a JSON round trip', () => {
    fc.assert(
      fc.property(lives, ([events, cuts, jsonAt]) => {
        const expected: TaskState[] = [];
        let reference = initialState;
        let byEvent = initialState;
        for (const e of events) {
          reference = referenceEvolve(reference, e);
          byEvent = evolve(byEvent, e);
          expected.push(reference);
          expect(byEvent).toEqual(reference);
        }
        const commits = commitsOf(events, cuts);
        let byCommit = initialState;
        let folded = 0;
        commits.forEach((commit, i) => {
          // A state read back from JSON has no index: it is rebuilt from the state alone.
          if (i === jsonAt % commits.length) byCommit = roundTrip(byCommit);
          byCommit = evolveAll(byCommit, commit);
          folded += commit.length;
          const at = expected[folded - 1]!;
          expect(byCommit).toEqual(at);
          expect(readyIds(byCommit)).toEqual(referenceReadyIds(at));
          if (exists(byCommit)) for (const s of byCommit.subtasks) expect(subTaskById(byCommit, s.id)).toBe(s);
        });
        expect(evolveAll(initialState, events)).toEqual(reference);
        // The JSON the projection stores (key order aside: jsonb does not keep it, nor did the old fold after a round trip).
        expect(roundTrip(byCommit)).toStrictEqual(roundTrip(reference));
      }),
      { numRuns: 400 },
    );
  });

  it('returns the state itself for events that change nothing', () => {
    const created = event('TaskCreated', new Date(T0).toISOString(), { name: 'x', createdBy: 'x', subtasks: [] });
    const state = evolve(initialState, created);
    const stray = event('SubTaskQueued', new Date(T0).toISOString(), { subTaskId: 'nope', generation: 1 });
    expect(evolveAll(state, [stray, created])).toBe(state);
    expect(evolve(initialState, stray)).toBe(initialState);
  });
});

describe('a look into the fold between events', () => {
  it('shows the Task and each SubTask as evolve has them after every event, and a SubTask kept stays as it was', () => {
    fc.assert(
      fc.property(lives, ([events]) => {
        const fold = new TaskFold(initialState);
        let state = initialState;
        for (const e of events) {
          const kept = exists(state) ? state.subtasks.map((s) => fold.subTask(s.id)) : [];
          const snapshot = JSON.stringify(kept);
          fold.apply(e);
          state = evolve(state, e);
          expect(JSON.stringify(kept)).toBe(snapshot);
          if (!exists(state)) {
            expect(fold.taskFields()).toBeUndefined();
            continue;
          }
          const { subtasks, ...fields } = state;
          expect(fold.taskFields()).toEqual(fields);
          for (const s of subtasks) expect(fold.subTask(s.id)).toEqual(s);
          expect(fold.subTask('st-unknown')).toBeUndefined();
        }
        expect(fold.result()).toEqual(state);
      }),
      { numRuns: 200 },
    );
  });
});
