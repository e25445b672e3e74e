import { describe, expect, it } from 'vitest';
import { at, cmd, createTask, draft, given, run, taskOf, types, violation } from './testing.js';

describe('a missed start deadline (startBefore)', () => {
  const queued = given([]).when(createTask([draft('a'), draft('b', ['a'])], { startBefore: at(60) })).history;

  it('ends a Task whose SubTasks never started: timed_out, START_DEADLINE_MISSED, every open SubTask cancelled', () => {
    const { events, task } = given(queued).when(cmd.expireStart(at(60)));
    expect(types(events)).toEqual(['TaskStartDeadlineMissed']);
    expect(events[0]!.data).toEqual({ reason: 'START_DEADLINE_MISSED', startBefore: at(60), cancelledSubTaskIds: ['st-a', 'st-b'] });
    expect(task()).toMatchObject({ status: 'timed_out', endReason: 'START_DEADLINE_MISSED', finishedAt: at(60), progress: 1 });
    expect(task().subtasks.map((s) => [s.status, s.responseCode])).toEqual([
      ['cancelled', 'START_DEADLINE_MISSED'],
      ['cancelled', 'START_DEADLINE_MISSED'],
    ]);
    expect(task().subtasks[0]!.responseMessage).toBe(`not started before ${at(60)}`);
  });

  it('refuses a first attempt that comes after startBefore (the expiry is on its way), and takes later attempts of a Task that began in time', () => {
    expect(violation(() => given(queued).when(cmd.start({ subTaskId: 'st-a', at: at(61) }))).code).toBe('START_DEADLINE_MISSED');
    const begun = run([cmd.start({ subTaskId: 'st-a', at: at(10) }), cmd.fail({ subTaskId: 'st-a', at: at(11) }, 1000)], queued);
    expect(types(given(begun).when(cmd.start({ subTaskId: 'st-a', attempt: 2, at: at(90) })).events)).toEqual(['SubTaskAttemptStarted']);
  });

  it('is a no-op when sent again (a second scheduler, a redelivery) and refused before its time', () => {
    const { history } = given(queued).when(cmd.expireStart(at(60)));
    expect(given(history).when(cmd.expireStart(at(61))).events).toEqual([]);
    expect(violation(() => given(queued).when(cmd.expireStart(at(59)))).code).toBe('DEADLINE_NOT_DUE');
  });

  it('is a no-op for a Task that started in time, one without startBefore, and a cancelled one', () => {
    const running = run([cmd.start({ subTaskId: 'st-a', at: at(10) })], queued);
    expect(given(running).when(cmd.expireStart(at(60))).events).toEqual([]);
    const noDeadline = given([]).when(createTask([draft('a')])).history;
    expect(given(noDeadline).when(cmd.expireStart(at(60))).events).toEqual([]);
    const cancelled = run([cmd.cancel(at(5))], queued);
    expect(given(cancelled).when(cmd.expireStart(at(60))).events).toEqual([]);
  });

  it('ends a delayed Task at its start when startBefore already passed (the scheduler was down) instead of starting it', () => {
    const scheduled = given([]).when(createTask([draft('a')], { startAt: at(10), startBefore: at(20) })).history;
    const { events, task } = given(scheduled).when(cmd.startTask(at(25)));
    expect(types(events)).toEqual(['TaskStartDeadlineMissed']);
    expect(task()).toMatchObject({ status: 'timed_out', started: false, endReason: 'START_DEADLINE_MISSED' });
    expect(given([...scheduled, ...events]).when(cmd.startTask(at(26))).events).toEqual([]);
    expect(given([...scheduled, ...events]).when(cmd.expireStart(at(26))).events).toEqual([]);
  });

  it('does not start a delayed Task before its startAt', () => {
    const scheduled = given([]).when(createTask([draft('a')], { startAt: at(10) })).history;
    expect(violation(() => given(scheduled).when(cmd.startTask(at(9)))).code).toBe('DEADLINE_NOT_DUE');
  });

  it('refuses a person\'s retry or skip after the Task ended', () => {
    const { history } = given(queued).when(cmd.expireStart(at(60)));
    expect(violation(() => given(history).when(cmd.retry('st-a', at(61)))).code).toBe('TASK_FINISHED');
    expect(violation(() => given(history).when(cmd.skip('st-b', at(61)))).code).toBe('TASK_FINISHED');
    expect(violation(() => given(history).when(cmd.cancel(at(61)))).code).toBe('TASK_FINISHED');
  });
});

describe('a Task timeout (timeoutSeconds)', () => {
  const created = given([]).when(createTask([draft('a'), draft('b'), draft('c', ['a'])], { timeoutSeconds: 600 })).history;
  const running = run([cmd.start({ subTaskId: 'st-a', at: at(1) }), cmd.start({ subTaskId: 'st-b', at: at(1) }), cmd.fail({ subTaskId: 'st-b', at: at(2) }, 10_000)], created);

  it('ends the Task timed_out: running SubTasks timed_out, retrying and blocked ones cancelled', () => {
    const { events, task } = given(running).when(cmd.timeOutTask(at(600)));
    expect(types(events)).toEqual(['TaskTimedOut']);
    expect(events[0]!.data).toEqual({ reason: 'TASK_TIMEOUT', timeoutSeconds: 600, timedOutSubTaskIds: ['st-a'], cancelledSubTaskIds: ['st-b', 'st-c'] });
    expect(task()).toMatchObject({ status: 'timed_out', endReason: 'TASK_TIMEOUT', finishedAt: at(600) });
    expect(task().subtasks.map((s) => [s.status, s.responseCode])).toEqual([
      ['timed_out', 'TASK_TIMEOUT'],
      ['cancelled', 'TASK_TIMEOUT'],
      ['cancelled', 'TASK_TIMEOUT'],
    ]);
    expect(task().subtasks[0]!.responseMessage).toBe('the Task did not finish within 600 s');
  });

  it('refuses the running worker\'s late result as stale, and every later attempt', () => {
    const { history } = given(running).when(cmd.timeOutTask(at(600)));
    expect(violation(() => given(history).when(cmd.succeed({ subTaskId: 'st-a', at: at(601) }))).code).toBe('STALE_ATTEMPT');
    expect(violation(() => given(history).when(cmd.fail({ subTaskId: 'st-a', at: at(601) }, 1000))).code).toBe('STALE_ATTEMPT');
    expect(violation(() => given(history).when(cmd.start({ subTaskId: 'st-b', attempt: 2, at: at(601) }))).code).toBe('SUBTASK_FINISHED');
    expect(taskOf(history).status).toBe('timed_out');
  });

  it('is a no-op when sent again and for a finished Task; refused before its time', () => {
    const { history } = given(running).when(cmd.timeOutTask(at(600)));
    expect(given(history).when(cmd.timeOutTask(at(601))).events).toEqual([]);
    expect(violation(() => given(running).when(cmd.timeOutTask(at(599)))).code).toBe('DEADLINE_NOT_DUE');
    const quick = given([]).when(createTask([draft('a')], { timeoutSeconds: 600 })).history;
    const done = run([cmd.start({ subTaskId: 'st-a' }), cmd.succeed({ subTaskId: 'st-a', at: at(5) })], quick);
    expect(given(done).when(cmd.timeOutTask(at(600))).events).toEqual([]);
    const noTimeout = given([]).when(createTask([draft('a')])).history;
    expect(given(noTimeout).when(cmd.timeOutTask(at(600))).events).toEqual([]);
  });

  it('counts a delayed Task\'s timeout from its start, not from its creation', () => {
    const scheduled = given([]).when(createTask([draft('a')], { startAt: at(100), timeoutSeconds: 60 })).history;
    const started = run([cmd.startTask(at(100))], scheduled);
    expect(taskOf(started).activeSince).toBe(at(100));
    expect(violation(() => given(started).when(cmd.timeOutTask(at(159)))).code).toBe('DEADLINE_NOT_DUE');
    expect(types(given(started).when(cmd.timeOutTask(at(160))).events)).toEqual(['TaskTimedOut']);
    expect(violation(() => given(scheduled).when(cmd.timeOutTask(at(600)))).code).toBe('DEADLINE_NOT_DUE');
  });
});
