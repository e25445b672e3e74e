import { describe, expect, it } from 'vitest';
import { decide, evolve, evolveAll, initialState, type SubTaskDraft, type Task, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import type { StoredCommit } from '@vle/event-store';
import { subTaskAttempts, taskHistory, type HistoryOptions } from './task-history.js';

const TASK = '0190a7e2-0000-7000-8000-0000000000a1';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const ALL: HistoryOptions = { subTasks: true, afterSeq: 0, limit: 1000 };

/** The commits the commands decide, one per command, at stream sequences 10, 20, ... (other Tasks between). */
function log(commands: TaskCommand[]): StoredCommit<TaskEvent>[] {
  let state: TaskState = initialState;
  const commits: StoredCommit<TaskEvent>[] = [];
  for (const command of commands) {
    const events = decide(command, state);
    if (events.length === 0) continue;
    state = events.reduce(evolve, state);
    commits.push({ seq: 10 * (commits.length + 1), subject: `tasks.evt.${TASK}`, time: command.at, events });
  }
  return commits;
}

const step = (key: string, extra: Partial<SubTaskDraft> = {}): SubTaskDraft => ({ id: `st-${key}`, key, name: `Step ${key}`, action: 'vm.clone', queue: 'pve_vm_clone', params: { vmid: 100, password: '[REDACTED]' }, ...extra });

const create = (subtasks: SubTaskDraft[]): TaskCommand => ({ type: 'CreateTask', taskId: TASK, at: at(0), actor: 'alice', name: 'Clone VMs', createdBy: 'alice', eventId: '42', subtasks });
const base = (s: number, actor = 'worker:pve_vm_clone') => ({ taskId: TASK, at: at(s), actor });
const start = (s: number, id: string, generation: number, attempt: number): TaskCommand => ({
  ...base(s),
  type: 'RecordAttemptStarted',
  subTaskId: id,
  generation,
  attempt,
  jobId: `${id}:${generation}`,
  queue: 'pve_vm_clone',
  jobSeq: generation,
  deliveryId: `delivery-${generation}-${attempt}`,
});
const failed = (s: number, id: string, generation: number, attempt: number, responseMessage: string, retryInMs: number | null): TaskCommand => ({
  ...base(s),
  type: 'RecordAttemptFailed',
  subTaskId: id,
  generation,
  attempt,
  responseCode: retryInMs === null ? '550' : '500',
  responseMessage,
  retryInMs,
  permanent: retryInMs === null,
});
const succeeded = (s: number, id: string, generation: number, attempt: number, responseMessage: string): TaskCommand => ({ ...base(s), type: 'RecordSubTaskSucceeded', subTaskId: id, generation, attempt, responseCode: '200', responseMessage });

/** st-a fails twice (a retry, then for good), a person retries it for bob, its generation 2 succeeds; st-b runs behind it. */
function retried(): StoredCommit<TaskEvent>[] {
  return log([
    create([step('a'), step('b', { dependsOn: ['a'] })]),
    start(1, 'st-a', 1, 1),
    failed(2, 'st-a', 1, 1, 'lock timeout', 10_000),
    start(12, 'st-a', 1, 2),
    failed(13, 'st-a', 1, 2, 'mailbox unavailable', null),
    { ...base(60, 'openvle-backend'), onBehalfOf: 'bob', type: 'RetrySubTask', subTaskId: 'st-a', retryWindowMs: 24 * 3600_000 },
    start(61, 'st-a', 2, 1),
    succeeded(65, 'st-a', 2, 1, 'cloned as 201'),
    start(66, 'st-b', 1, 1),
    succeeded(70, 'st-b', 1, 1, 'cloned as 202'),
  ]);
}

describe('taskHistory', () => {
  it('shows every attempt of a retried SubTask over both generations, each with its own message and worker', () => {
    const history = taskHistory(TASK, retried(), ALL);
    expect(history.attempts!.filter((a) => a.subTaskId === 'st-a')).toEqual([
      {
        subTaskId: 'st-a',
        generation: 1,
        attempt: 1,
        startedAt: at(1),
        finishedAt: at(2),
        durationMs: 1000,
        worker: { actor: 'worker:pve_vm_clone', deliveryId: 'delivery-1-1' },
        jobId: 'st-a:1',
        outcome: 'retrying',
        responseCode: '500',
        responseMessage: 'lock timeout',
        nextAttemptAt: at(12),
      },
      expect.objectContaining({ generation: 1, attempt: 2, outcome: 'failed', responseCode: '550', responseMessage: 'mailbox unavailable', finishedAt: at(13), durationMs: 1000 }),
      expect.objectContaining({ generation: 2, attempt: 1, outcome: 'succeeded', responseMessage: 'cloned as 201', durationMs: 4000, worker: { actor: 'worker:pve_vm_clone', deliveryId: 'delivery-2-1' } }),
    ]);
    expect(history.attempts!.filter((a) => a.subTaskId === 'st-b')).toEqual([expect.objectContaining({ generation: 1, attempt: 1, outcome: 'succeeded', responseMessage: 'cloned as 202' })]);
    expect(subTaskAttempts(retried(), 'st-a')).toEqual(history.attempts!.filter((a) => a.subTaskId === 'st-a'));
  });

  it('says who retried, for whom, and which generation it started', () => {
    const events = taskHistory(TASK, retried(), ALL).events;
    const retry = events.find((e) => e.type === 'SubTaskRetryRequested')!;
    expect(retry).toEqual({
      seq: 60,
      index: 0,
      at: at(60),
      type: 'SubTaskRetryRequested',
      actor: 'openvle-backend',
      onBehalfOf: 'bob',
      subTaskId: 'st-a',
      generation: 2,
      changes: { task: { manualIntervention: { from: false, to: true } } },
    });
    const queued = events.find((e) => e.seq === 60 && e.index === 1)!;
    expect(queued).toMatchObject({ type: 'SubTaskQueued', generation: 2, changes: { subTask: { status: { from: 'failed', to: 'queued' }, generation: { from: 1, to: 2 }, attempt: { from: 2, to: 0 } }, task: { status: { from: 'failed', to: 'queued' } } } });
  });

  it('shows the status changes, from and to, of the Task and of the SubTask concerned, with the facts of each event', () => {
    const events = taskHistory(TASK, retried(), ALL).events;
    expect(events.map((e) => `${e.seq}.${e.index} ${e.type}`)).toEqual([
      '10.0 TaskCreated',
      '10.1 SubTaskQueued',
      '20.0 SubTaskAttemptStarted',
      '30.0 SubTaskAttemptFailed',
      '40.0 SubTaskAttemptStarted',
      '50.0 SubTaskFailed',
      '60.0 SubTaskRetryRequested',
      '60.1 SubTaskQueued',
      '70.0 SubTaskAttemptStarted',
      '80.0 SubTaskSucceeded',
      '80.1 SubTaskQueued',
      '90.0 SubTaskAttemptStarted',
      '100.0 SubTaskSucceeded',
    ]);
    expect(events[0]).toMatchObject({ actor: 'alice', changes: { task: { status: { from: null, to: 'queued' } }, name: 'Clone VMs', createdBy: 'alice', eventId: '42', subtasks: 2 } });
    expect(events[1]!.changes).toEqual({ subTask: { status: { from: 'blocked', to: 'queued' }, generation: { from: 0, to: 1 } }, queue: 'pve_vm_clone', action: 'vm.clone' });
    expect(events[2]).toMatchObject({ subTaskId: 'st-a', generation: 1, attempt: 1, changes: { task: { status: { from: 'queued', to: 'running' } }, subTask: { status: { from: 'queued', to: 'running' }, attempt: { from: 0, to: 1 }, jobId: { from: null, to: 'st-a:1' } }, deliveryId: 'delivery-1-1' } });
    expect(events[3]!.changes).toEqual({ subTask: { status: { from: 'running', to: 'retrying' } }, responseCode: '500', responseMessage: 'lock timeout', nextAttemptAt: at(12) });
    expect(events[5]!.changes).toEqual({ task: { status: { from: 'running', to: 'failed' }, progress: { from: 0, to: 0.5 } }, subTask: { status: { from: 'running', to: 'failed' } }, responseCode: '550', responseMessage: 'mailbox unavailable', permanent: true });
    expect(events.at(-1)!.changes).toMatchObject({ task: { status: { from: 'running', to: 'warning' }, progress: { from: 0.5, to: 1 } }, subTask: { status: { from: 'running', to: 'success' } } });
  });

  it('shows a skip and a cancel with who (actor, on behalf of whom), when and why', () => {
    const commits = log([
      create([step('a'), step('b', { dependsOn: ['a'] }), step('c')]),
      start(1, 'st-a', 1, 1),
      failed(2, 'st-a', 1, 1, 'mailbox unavailable', null),
      { ...base(30, 'openvle-backend'), onBehalfOf: 'carol', type: 'SkipSubTask', subTaskId: 'st-a', reason: 'cloned by hand' },
      start(31, 'st-c', 1, 1),
      { ...base(40, 'admin'), type: 'CancelTask', reason: 'event moved' },
      succeeded(45, 'st-c', 1, 1, 'cloned as 203'),
    ]);
    const history = taskHistory(TASK, commits, ALL);
    const skip = history.events.find((e) => e.type === 'SubTaskSkipped')!;
    expect(skip).toEqual({
      seq: 40,
      index: 0,
      at: at(30),
      type: 'SubTaskSkipped',
      actor: 'openvle-backend',
      onBehalfOf: 'carol',
      subTaskId: 'st-a',
      // st-c still runs: the Task does too; st-a had finished already (failed).
      changes: { task: { manualIntervention: { from: false, to: true } }, subTask: { status: { from: 'failed', to: 'skipped' } }, reason: 'cloned by hand' },
    });
    const cancel = history.events.find((e) => e.type === 'TaskCancelRequested')!;
    expect(cancel).toEqual({
      seq: expect.any(Number),
      index: 0,
      at: at(40),
      type: 'TaskCancelRequested',
      actor: 'admin',
      changes: { task: { status: { from: 'running', to: 'cancelling' }, progress: { from: 1 / 3, to: 2 / 3 }, cancelRequested: { from: false, to: true } }, reason: 'event moved', cancelledSubTasks: 1 },
    });
    // The running attempt was not interrupted: it succeeded, and the Task ended cancelled.
    expect(history.attempts!.find((a) => a.subTaskId === 'st-c')).toMatchObject({ outcome: 'succeeded', responseMessage: 'cloned as 203' });
    expect(history.events.at(-1)!.changes.task).toMatchObject({ status: { from: 'cancelling', to: 'cancelled' } });
    // The skipped SubTask's failed attempt keeps its own outcome and message.
    expect(history.attempts!.find((a) => a.subTaskId === 'st-a')).toMatchObject({ outcome: 'failed', responseMessage: 'mailbox unavailable' });
  });

  it('holds only the Task-level events without sub_tasks_read: no SubTask event, no attempts, no params', () => {
    const commits = log([...retriedCommands(), { ...base(80, 'admin'), type: 'CancelTask', reason: 'too late' }]);
    const history = taskHistory(TASK, commits, { ...ALL, subTasks: false });
    expect(history.events.map((e) => e.type)).toEqual(['TaskCreated', 'TaskCancelRequested']);
    expect(history).not.toHaveProperty('attempts');
    const json = JSON.stringify(history);
    expect(json).not.toContain('st-a');
    expect(json).not.toMatch(/params|vmid|REDACTED/);
    expect(JSON.stringify(taskHistory(TASK, commits, ALL))).not.toMatch(/params|vmid|REDACTED/);
  });

  it('pages by commit: the pages together are the whole history, each event and attempt once', () => {
    const whole = taskHistory(TASK, retried(), ALL);
    const events = [];
    const attempts = [];
    let afterSeq = 0;
    let pages = 0;
    for (;;) {
      const page = taskHistory(TASK, retried(), { subTasks: true, afterSeq, limit: 3 });
      pages += 1;
      if (page.nextAfterSeq !== null) expect(page.events.length).toBeGreaterThanOrEqual(3);
      expect(page.events.every((e) => e.seq > afterSeq && (page.nextAfterSeq === null || e.seq <= page.nextAfterSeq))).toBe(true);
      events.push(...page.events);
      attempts.push(...page.attempts!);
      if (page.nextAfterSeq === null) break;
      afterSeq = page.nextAfterSeq;
    }
    // Commits of 2, 1, 1, 1, 1, 2, 1, 2, 1 and 1 events.
    expect(pages).toBe(5);
    expect(events).toEqual(whole.events);
    expect(attempts).toEqual(whole.attempts);
    expect(taskHistory(TASK, retried(), { ...ALL, afterSeq: 100 })).toMatchObject({ events: [], attempts: [], nextAfterSeq: null, lastSeq: 100 });
  });

  it('answers for a Task of 10,000 SubTasks, page by page', () => {
    const subtasks = Array.from({ length: 10_000 }, (_, i) => step(`s${i}`));
    const commits: StoredCommit<TaskEvent>[] = [{ seq: 1, subject: `tasks.evt.${TASK}`, time: at(0), events: decide(create(subtasks), initialState) }];
    let state = commits[0]!.events.reduce(evolve, initialState as TaskState);
    // The SubTasks' own commits, folded per commit: evolve one event at a time would copy 10,000 SubTasks each.
    const next = (command: TaskCommand) => {
      const events = decide(command, state);
      state = evolveAll(state, events);
      commits.push({ seq: commits.length + 1, subject: `tasks.evt.${TASK}`, time: command.at, events });
    };
    const queued = () => (state as Task).subtasks.filter((s) => s.status === 'queued');
    for (let round = 0; queued().length > 0; round++) {
      for (const s of queued()) {
        next(start(100 + round, s.id, 1, 1));
        next(succeeded(101 + round, s.id, 1, 1, `cloned ${s.key}`));
      }
    }
    expect((state as Task).status).toBe('success');
    const total = commits.reduce((n, c) => n + c.events.length, 0);
    let afterSeq = 0;
    let events = 0;
    let attempts = 0;
    for (let pages = 1; ; pages++) {
      const page = taskHistory(TASK, commits, { subTasks: true, afterSeq, limit: 5000 });
      events += page.events.length;
      attempts += page.attempts!.length;
      if (page.nextAfterSeq === null) break;
      expect(pages).toBeLessThan(10);
      afterSeq = page.nextAfterSeq;
    }
    expect({ events, attempts }).toEqual({ events: total, attempts: 10_000 });
    expect(taskHistory(TASK, commits, { subTasks: false, afterSeq: 0, limit: 5000 }).events.map((e) => e.type)).toEqual(['TaskCreated']);
    expect(subTaskAttempts(commits, 'st-s9999')).toEqual([expect.objectContaining({ outcome: 'succeeded', responseMessage: 'cloned s9999' })]);
    // Building the log with decide takes most of it; a page is some 300 ms.
  }, 30_000);
});

function retriedCommands(): TaskCommand[] {
  return [create([step('a'), step('b', { dependsOn: ['a'] })]), start(1, 'st-a', 1, 1), failed(2, 'st-a', 1, 1, 'lock timeout', 10_000)];
}
