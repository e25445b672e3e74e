import { describe, expect, it } from 'vitest';
import type { TaskCommand } from './commands.js';
import { at, cmd, createTask, draft, given, run, succeedAll, T0, taskOf, TASK_ID, types, violation } from './testing.js';

const diamond = createTask([draft('a'), draft('b', ['a']), draft('c', ['a']), draft('d', ['b', 'c'])]);

describe('creating a Task', () => {
  it('records the Task and queues the SubTasks without dependencies in the same commit', () => {
    const { events, task } = given([]).when(diamond);
    expect(types(events)).toEqual(['TaskCreated', 'SubTaskQueued(st-a)']);
    expect(task().status).toBe('queued');
    expect(task().subtasks.map((s) => s.status)).toEqual(['queued', 'blocked', 'blocked', 'blocked']);
    expect(task().subtasks[3]!.dependsOn).toEqual(['st-b', 'st-c']);
    expect(task().progress).toBe(0);
  });

  it('is idempotent for the same request and refuses a reused key with another body', () => {
    const command = { ...diamond, idempotencyKey: 'k1', requestHash: 'h1' };
    const { history } = given([]).when(command);
    expect(given(history).when(command).events).toEqual([]);
    expect(violation(() => given(history).when({ ...command, requestHash: 'h2' })).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(violation(() => given(given([]).when(diamond).history).when(diamond)).code).toBe('TASK_EXISTS');
  });

  it.each([
    ['an empty graph', [], 'EMPTY_DAG', 'subtasks'],
    ['a duplicate key', [draft('a'), draft('a')], 'DUPLICATE_KEY', 'subtasks[1].key'],
    ['an unknown dependency', [draft('a', ['x'])], 'UNKNOWN_DEPENDENCY', 'subtasks[0].dependsOn[0]'],
    ['a self dependency', [draft('a', ['a'])], 'DAG_CYCLE', 'subtasks[0].dependsOn'],
    ['a cycle', [draft('a', ['c']), draft('b', ['a']), draft('c', ['b']), draft('d')], 'DAG_CYCLE', 'subtasks[0].dependsOn'],
    ['an unknown queue', [draft('a', [], { queue: 'nowhere' })], 'UNKNOWN_QUEUE', 'subtasks[0].queue'],
  ])('refuses %s', (_name, subtasks, code, field) => {
    const error = violation(() => given([]).when(createTask(subtasks)));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
  });

  it('names the cycle', () => {
    const error = violation(() => given([]).when(createTask([draft('a', ['b']), draft('b', ['a'])])));
    expect(error.message).toContain('a -> b -> a');
  });

  it('redacts secrets in params before they are stored', () => {
    const { events } = given([]).when(createTask([draft('a', [], { params: { user: 'bob', password: 'hunter2', nested: { apiToken: 'x', list: [{ secret: 's' }] } } })]));
    const created = events[0]!;
    expect(created.type === 'TaskCreated' && created.data.subtasks[0]!.params).toEqual({
      user: 'bob',
      password: '[REDACTED]',
      nested: { apiToken: '[REDACTED]', list: [{ secret: '[REDACTED]' }] },
    });
  });

  it('waits for startAt: scheduled, then queued by StartTask', () => {
    const { events, history } = given([]).when(createTask([draft('a')], { startAt: at(3600) }));
    expect(types(events)).toEqual(['TaskCreated']);
    expect(taskOf(history).status).toBe('scheduled');
    const started = given(history).when(cmd.startTask(at(3600)));
    expect(types(started.events)).toEqual(['TaskStarted', 'SubTaskQueued(st-a)']);
    expect(started.task().status).toBe('queued');
    expect(given(started.history).when(cmd.startTask(at(3601))).events).toEqual([]);
  });

  it('refuses startBefore earlier than startAt', () => {
    expect(violation(() => given([]).when(createTask([draft('a')], { startAt: at(10), startBefore: at(5) }))).code).toBe('INVALID_SCHEDULE');
  });
});

describe('running SubTasks', () => {
  const created = given([]).when(diamond).history;

  it('runs the diamond in dependency order to success', () => {
    const afterA = succeedAll(created, 'st-a');
    expect(types(afterA.slice(-3))).toEqual(['SubTaskSucceeded', 'SubTaskQueued(st-b)', 'SubTaskQueued(st-c)']);
    const afterB = succeedAll(afterA, 'st-b');
    expect(taskOf(afterB).subtasks[3]!.status).toBe('blocked');
    const afterC = succeedAll(afterB, 'st-c');
    expect(types(afterC.slice(-1))).toEqual(['SubTaskQueued(st-d)']);
    const done = succeedAll(afterC, 'st-d');
    const task = taskOf(done);
    expect(task.status).toBe('success');
    expect(task.progress).toBe(1);
    expect(task.finishedAt).toBeDefined();
    expect(task.subtasks.every((s) => s.status === 'success' && s.attempt === 1 && s.jobId === `${s.id}:1`)).toBe(true);
  });

  it('is running once an attempt started', () => {
    const { task } = given(created).when(cmd.start({ subTaskId: 'st-a' }));
    expect(task().status).toBe('running');
    expect(task().subtasks[0]!.status).toBe('running');
    expect(task().startedAt).toBe(at(0));
  });

  it('absorbs a repeated record of the same attempt', () => {
    const started = run([cmd.start({ subTaskId: 'st-a' })], created);
    expect(given(started).when(cmd.start({ subTaskId: 'st-a' })).events).toEqual([]);
    const succeeded = run([cmd.succeed({ subTaskId: 'st-a' })], started);
    expect(given(succeeded).when(cmd.succeed({ subTaskId: 'st-a' })).events).toEqual([]);
  });

  it('refuses a duplicate job delivery and a stalled worker\'s report (fencing)', () => {
    const second = run([cmd.start({ subTaskId: 'st-a' }), cmd.start({ subTaskId: 'st-a', attempt: 2 })], created);
    expect(violation(() => given(second).when(cmd.start({ subTaskId: 'st-a', attempt: 1 }))).code).toBe('STALE_ATTEMPT');
    expect(violation(() => given(second).when(cmd.succeed({ subTaskId: 'st-a', attempt: 1 }))).code).toBe('STALE_ATTEMPT');
    const done = run([cmd.succeed({ subTaskId: 'st-a', attempt: 2 })], second);
    expect(violation(() => given(done).when(cmd.start({ subTaskId: 'st-a', attempt: 3 }))).code).toBe('SUBTASK_FINISHED');
    expect(violation(() => given(done).when(cmd.start({ subTaskId: 'st-a', generation: 2, attempt: 1 }))).code).toBe('STALE_ATTEMPT');
  });

  it('absorbs the same delivery recording its start again, and refuses another delivery of the same attempt', () => {
    const started = run([cmd.start({ subTaskId: 'st-a' }, { deliveryId: 'd1' })], created);
    expect(given(started).when(cmd.start({ subTaskId: 'st-a' }, { deliveryId: 'd1' })).events).toEqual([]);
    // A server that lost its consumer state delivers the message again with the same count.
    expect(violation(() => given(started).when(cmd.start({ subTaskId: 'st-a' }, { deliveryId: 'd2' }))).code).toBe('ATTEMPT_IN_PROGRESS');
  });

  it('fences a generation on the job message that started it: a republished copy never starts an attempt', () => {
    const started = run([cmd.start({ subTaskId: 'st-a' }, { jobSeq: 7 })], created);
    // A copy published after the duplicate window (or by a reset dispatcher) is another message.
    expect(violation(() => given(started).when(cmd.start({ subTaskId: 'st-a' }, { jobSeq: 9, deliveryId: 'other' }))).code).toBe('DUPLICATE_JOB');
    expect(violation(() => given(started).when(cmd.start({ subTaskId: 'st-a', attempt: 2 }, { jobSeq: 9 }))).code).toBe('DUPLICATE_JOB');
    const retrying = run([cmd.fail({ subTaskId: 'st-a' }, 1000)], started);
    expect(violation(() => given(retrying).when(cmd.start({ subTaskId: 'st-a', attempt: 1 }, { jobSeq: 9 }))).code).toBe('DUPLICATE_JOB');
    // The message's own redelivery starts the next attempt.
    expect(types(given(retrying).when(cmd.start({ subTaskId: 'st-a', attempt: 2 }, { jobSeq: 7 })).events)).toEqual(['SubTaskAttemptStarted']);
  });

  it('takes a new job message for a new generation', () => {
    const failed = run([cmd.start({ subTaskId: 'st-a' }, { jobSeq: 7 }), cmd.fail({ subTaskId: 'st-a' }, null, true), cmd.retry('st-a')], created);
    expect(types(given(failed).when(cmd.start({ subTaskId: 'st-a', generation: 2 }, { jobSeq: 12 })).events)).toEqual(['SubTaskAttemptStarted']);
  });

  it('refuses a job that arrived on another queue than the SubTask\'s (a forged or misrouted job)', () => {
    expect(violation(() => given(created).when(cmd.start({ subTaskId: 'st-a' }, { queue: 'pve_vm_clone' }))).code).toBe('WRONG_QUEUE');
  });

  it('refuses a report from another delivery than the one running the attempt', () => {
    const started = run([cmd.start({ subTaskId: 'st-a' }, { deliveryId: 'd1' })], created);
    const succeed = { ...cmd.succeed({ subTaskId: 'st-a' }), deliveryId: 'd2' } as TaskCommand;
    expect(violation(() => given(started).when(succeed)).code).toBe('STALE_ATTEMPT');
    expect(types(given(started).when({ ...cmd.succeed({ subTaskId: 'st-a' }), deliveryId: 'd1' } as TaskCommand).events)[0]).toBe('SubTaskSucceeded');
  });

  it('counts executions over generations; the count never goes back', () => {
    const events = run(
      [cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, 1000), cmd.start({ subTaskId: 'st-a', attempt: 2 }), cmd.fail({ subTaskId: 'st-a', attempt: 2 }, null), cmd.retry('st-a'), cmd.start({ subTaskId: 'st-a', generation: 2 })],
      created,
    );
    expect(taskOf(events).subtasks[0]).toMatchObject({ generation: 2, attempt: 1, executions: 3 });
  });

  it('ends a running or retrying SubTask whose job will not come again as failed, WORKER_LOST; nothing else', () => {
    const running = run([cmd.start({ subTaskId: 'st-a' })], created);
    const { events, task } = given(running).when(cmd.workerLost('st-a'));
    expect(types(events)).toEqual(['SubTaskFailed']);
    expect(task().subtasks[0]).toMatchObject({ status: 'failed', responseCode: 'WORKER_LOST', attempt: 1 });
    const retrying = run([cmd.fail({ subTaskId: 'st-a' }, 1000)], running);
    expect(given(retrying).when(cmd.workerLost('st-a')).task().subtasks[0]).toMatchObject({ status: 'failed', responseCode: 'WORKER_LOST' });
    const done = run([cmd.succeed({ subTaskId: 'st-a' })], running);
    expect(given(done).when(cmd.workerLost('st-a')).events).toEqual([]);
    expect(given(running).when(cmd.workerLost('st-a', 2)).events).toEqual([]);
    expect(given(created).when(cmd.workerLost('st-b', 0)).events).toEqual([]);
  });

  it('refuses to start a blocked SubTask and an unknown one', () => {
    expect(violation(() => given(created).when(cmd.start({ subTaskId: 'st-b', generation: 0 }))).code).toBe('SUBTASK_NOT_QUEUED');
    expect(violation(() => given(created).when(cmd.start({ subTaskId: 'st-x' }))).code).toBe('SUBTASK_NOT_FOUND');
    expect(violation(() => given([]).when(cmd.start({ subTaskId: 'st-a' }))).code).toBe('TASK_NOT_FOUND');
  });

  it('retries a transient failure, then succeeds on attempt 3 with two failures recorded', () => {
    const events = run(
      [
        cmd.start({ subTaskId: 'st-a', attempt: 1 }),
        cmd.fail({ subTaskId: 'st-a', attempt: 1 }, 10_000),
        cmd.start({ subTaskId: 'st-a', attempt: 2 }),
        cmd.fail({ subTaskId: 'st-a', attempt: 2 }, 30_000),
        cmd.start({ subTaskId: 'st-a', attempt: 3 }),
        cmd.succeed({ subTaskId: 'st-a', attempt: 3 }),
      ],
      created,
    );
    expect(events.filter((e) => e.type === 'SubTaskAttemptFailed')).toHaveLength(2);
    const a = taskOf(events).subtasks[0]!;
    expect(a).toMatchObject({ status: 'success', attempt: 3, failedAttempts: 2, generation: 1 });
  });

  it('shows retrying with the next attempt time', () => {
    const events = run([cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, 10_000)], created);
    expect(taskOf(events).subtasks[0]).toMatchObject({ status: 'retrying', nextAttemptAt: at(10) });
    expect(taskOf(events).status).toBe('running');
    expect(given(events).when(cmd.fail({ subTaskId: 'st-a' }, 10_000)).events).toEqual([]);
  });

  it('fails at once on a permanent error and fails the Task; dependents stay blocked', () => {
    const events = run([cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, 10_000, true)], created);
    const last = events[events.length - 1]!;
    expect(last.type === 'SubTaskFailed' && last.data.permanent).toBe(true);
    const task = taskOf(events);
    expect(task.status).toBe('failed');
    expect(task.subtasks.slice(1).map((s) => s.status)).toEqual(['blocked', 'blocked', 'blocked']);
    expect(task.progress).toBe(0.25);
  });

  it('fails when no attempt follows', () => {
    const events = run([cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, null)], created);
    expect(taskOf(events).subtasks[0]!.status).toBe('failed');
  });

  it('keeps the Task running while another branch still runs after a failure', () => {
    const parallel = given([]).when(createTask([draft('a'), draft('b')])).history;
    const events = run([cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, null), cmd.start({ subTaskId: 'st-b' })], parallel);
    expect(taskOf(events).status).toBe('running');
    expect(taskOf(run([cmd.succeed({ subTaskId: 'st-b' })], events)).status).toBe('failed');
  });

  it('times out an attempt', () => {
    const events = run([cmd.start({ subTaskId: 'st-a' }), cmd.timeOut({ subTaskId: 'st-a' })], created);
    const task = taskOf(events);
    expect(task.subtasks[0]).toMatchObject({ status: 'timed_out', responseCode: 'TIMEOUT' });
    expect(task.status).toBe('failed');
    expect(given(events).when(cmd.timeOut({ subTaskId: 'st-a' })).events).toEqual([]);
  });
});

describe('reserving the object an attempt creates', () => {
  const running = run([cmd.start({ subTaskId: 'st-a' })], given([]).when(createTask([draft('a', [], { objectType: 'template', objectId: '9000' })])).history);

  it('records the reserved id as the SubTask\'s object, kept by later attempts and generations', () => {
    const { events, history } = given(running).when(cmd.reserve({ subTaskId: 'st-a' }, '4101'));
    expect(types(events)).toEqual(['SubTaskObjectReserved']);
    expect(taskOf(history).subtasks[0]).toMatchObject({ objectType: 'vm', objectId: '4101', status: 'running' });
    const later = run([cmd.fail({ subTaskId: 'st-a' }, null, true), cmd.retry('st-a'), cmd.start({ subTaskId: 'st-a', generation: 2 })], history);
    expect(taskOf(later).subtasks[0]).toMatchObject({ objectId: '4101', generation: 2 });
  });

  it('is a no-op when the same id is reserved again (a redelivered report)', () => {
    const { history } = given(running).when(cmd.reserve({ subTaskId: 'st-a' }, '4101'));
    expect(given(history).when(cmd.reserve({ subTaskId: 'st-a' }, '4101')).events).toEqual([]);
  });

  it('refuses a second, different reservation within one attempt; a later attempt may reserve another', () => {
    const { history } = given(running).when(cmd.reserve({ subTaskId: 'st-a' }, '4101'));
    expect(violation(() => given(history).when(cmd.reserve({ subTaskId: 'st-a' }, '4102'))).code).toBe('ALREADY_RESERVED');
    const next = run([cmd.fail({ subTaskId: 'st-a' }, 1000), cmd.start({ subTaskId: 'st-a', attempt: 2 })], history);
    expect(types(given(next).when(cmd.reserve({ subTaskId: 'st-a', attempt: 2 }, '4102')).events)).toEqual(['SubTaskObjectReserved']);
  });

  it('refuses a stalled attempt and a SubTask that is not running', () => {
    const next = run([cmd.fail({ subTaskId: 'st-a' }, 1000), cmd.start({ subTaskId: 'st-a', attempt: 2 })], running);
    expect(violation(() => given(next).when(cmd.reserve({ subTaskId: 'st-a', attempt: 1 }, '4101'))).code).toBe('STALE_ATTEMPT');
    const retrying = run([cmd.fail({ subTaskId: 'st-a' }, 1000)], running);
    expect(violation(() => given(retrying).when(cmd.reserve({ subTaskId: 'st-a' }, '4101'))).code).toBe('STALE_ATTEMPT');
  });
});

describe('best-effort SubTasks', () => {
  it('lets dependents run after a best-effort failure and ends the Task as warning', () => {
    const created = given([]).when(createTask([draft('a', [], { bestEffort: true }), draft('b', ['a'])])).history;
    const failed = run([cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, null, true)], created);
    expect(types(failed.slice(-2))).toEqual(['SubTaskFailed', 'SubTaskQueued(st-b)']);
    const done = succeedAll(failed, 'st-b');
    expect(taskOf(done).status).toBe('warning');
  });
});

describe('a person retrying a failed SubTask', () => {
  const created = given([]).when(createTask([draft('a'), draft('b', ['a'])])).history;
  const failed = run([cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, null, true)], created);

  it('starts a new generation; when it succeeds the blocked SubTasks run and the Task ends warning', () => {
    const retried = given(failed).when(cmd.retry('st-a', at(60)));
    expect(types(retried.events)).toEqual(['SubTaskRetryRequested', 'SubTaskQueued(st-a)']);
    expect(retried.task().subtasks[0]).toMatchObject({ status: 'queued', generation: 2, attempt: 0 });
    expect(retried.task().status).toBe('queued');
    const done = run([cmd.start({ subTaskId: 'st-a', generation: 2 }), cmd.succeed({ subTaskId: 'st-a', generation: 2 })], retried.history);
    expect(types(done.slice(-1))).toEqual(['SubTaskQueued(st-b)']);
    const finished = run([cmd.start({ subTaskId: 'st-b' }), cmd.succeed({ subTaskId: 'st-b' })], done);
    expect(taskOf(finished).status).toBe('warning');
  });

  it('refuses after the retry window and for a SubTask that did not fail', () => {
    expect(violation(() => given(failed).when(cmd.retry('st-a', at(25 * 3600)))).code).toBe('RETRY_WINDOW_EXPIRED');
    expect(violation(() => given(failed).when(cmd.retry('st-b'))).code).toBe('NOT_RETRYABLE');
  });
});

describe('a person skipping a SubTask', () => {
  const created = given([]).when(createTask([draft('a'), draft('b', ['a']), draft('c', ['b'])])).history;
  const failed = run([cmd.start({ subTaskId: 'st-a' }), cmd.fail({ subTaskId: 'st-a' }, null, true)], created);

  it('lets the Task go on past a failed SubTask and ends it warning', () => {
    const skipped = given(failed).when(cmd.skip('st-a'));
    expect(types(skipped.events)).toEqual(['SubTaskSkipped', 'SubTaskQueued(st-b)']);
    expect(skipped.task().subtasks[0]!.status).toBe('skipped');
    expect(given(skipped.history).when(cmd.skip('st-a')).events).toEqual([]);
    const done = succeedAll(skipped.history, 'st-b', 'st-c');
    expect(taskOf(done).status).toBe('warning');
    expect(taskOf(done).progress).toBe(1);
  });

  it('skips a blocked SubTask, and refuses one that is queued', () => {
    const skipped = given(failed).when(cmd.skip('st-b'));
    expect(types(skipped.events)).toEqual(['SubTaskSkipped', 'SubTaskQueued(st-c)']);
    expect(skipped.task().subtasks.map((s) => s.status)).toEqual(['failed', 'skipped', 'queued']);
    expect(violation(() => given(created).when(cmd.skip('st-a'))).code).toBe('NOT_SKIPPABLE');
  });
});

describe('cancelling a Task', () => {
  const created = given([]).when(createTask([draft('a'), draft('b'), draft('c', ['a'])])).history;

  it('cancels what is not running at once; the Task is cancelling until the running one reports', () => {
    const running = run([cmd.start({ subTaskId: 'st-a' })], created);
    const cancelled = given(running).when(cmd.cancel());
    // One event lists them, however many: a SubTaskCancelled each would not fit a commit for 10,000.
    expect(cancelled.events).toEqual([expect.objectContaining({ type: 'TaskCancelRequested', data: { reason: 'not needed', cancelledSubTaskIds: ['st-b', 'st-c'] } })]);
    expect(cancelled.task().subtasks.map((s) => s.status)).toEqual(['running', 'cancelled', 'cancelled']);
    expect(cancelled.task().subtasks[1]).toMatchObject({ finishedAt: T0 });
    expect(cancelled.task().status).toBe('cancelling');
    const after = run([cmd.succeed({ subTaskId: 'st-a' })], cancelled.history);
    expect(types(after.slice(-1))).toEqual(['SubTaskSucceeded']);
    expect(taskOf(after).status).toBe('cancelled');
    expect(given(after).when(cmd.cancel()).events).toEqual([]);
  });

  it('turns a queued job of a cancelled Task into a stale delivery', () => {
    const cancelled = run([cmd.cancel()], created);
    expect(violation(() => given(cancelled).when(cmd.start({ subTaskId: 'st-b' }))).code).toBe('SUBTASK_FINISHED');
    expect(violation(() => given(cancelled).when(cmd.retry('st-b'))).code).toBe('TASK_CANCELLED');
  });

  it('refuses to cancel a finished Task', () => {
    const done = succeedAll(created, 'st-a', 'st-b', 'st-c');
    expect(taskOf(done).status).toBe('success');
    expect(violation(() => given(done).when(cmd.cancel())).code).toBe('TASK_FINISHED');
  });
});

describe('evolve', () => {
  it('still folds a cancellation of an older log, one SubTaskCancelled per SubTask', () => {
    const created = given([]).when(createTask([draft('a'), draft('b')])).history;
    const legacy = [
      { type: 'TaskCancelRequested', version: 1, taskId: TASK_ID, at: at(5), actor: 'admin', data: { reason: 'old' } },
      { type: 'SubTaskCancelled', version: 1, taskId: TASK_ID, at: at(5), actor: 'admin', data: { subTaskId: 'st-a' } },
      { type: 'SubTaskCancelled', version: 1, taskId: TASK_ID, at: at(5), actor: 'admin', data: { subTaskId: 'st-b' } },
    ] as const;
    const task = taskOf([...created, ...legacy]);
    expect(task.subtasks.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(task).toMatchObject({ status: 'cancelled', finishedAt: at(5) });
  });

  it('ignores events for another state and never throws', () => {
    const created = given([]).when(diamond).history;
    const task = taskOf(created);
    const stray = { type: 'SubTaskQueued', version: 1, taskId: TASK_ID, at: at(1), actor: 'x', data: { subTaskId: 'nope', generation: 1 } } as const;
    expect(taskOf([...created, stray]).subtasks).toEqual(task.subtasks);
    expect(() => taskOf([...created, { ...stray, type: 'SomethingNew' } as never])).not.toThrow();
  });
});
