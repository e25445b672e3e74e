// The read model of Tasks ended by a deadline (libs/domain deadlines.ts): status timed_out, the reason
// on the Task row, and the reason as the response code of every SubTask it ended.

import { Topology } from '@vle/contracts';
import { decide, evolve, initialState, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { describe, expect, it } from 'vitest';
import { checkCommit, type IncomingCommit } from './commit.js';
import { foldBatch } from './fold-batch.js';

const topology = new Topology({ namespace: 'unit' });
const taskIdOf = (subject: string) => topology.taskIdOf(subject);
const TASK = '0190a7e2-0000-7000-8000-00000000d001';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const base = (s: number) => ({ taskId: TASK, at: at(s), actor: 'system' });
const step = (key: string, dependsOn: string[] = []) => ({ id: `st-${key}`, key, name: key, action: 'noop', queue: 'mails', dependsOn });

/** Runs the commands through the real decide, one commit each, as task-api appends them. */
function commitsOf(commands: TaskCommand[]): IncomingCommit[] {
  let state: TaskState = initialState;
  const commits: IncomingCommit[] = [];
  for (const command of commands) {
    const events: TaskEvent[] = decide(command, state);
    state = events.reduce(evolve, state);
    if (events.length > 0) commits.push({ seq: commits.length + 1, subject: topology.eventSubject(TASK), events: JSON.parse(JSON.stringify(events)) });
  }
  return commits;
}

const create = (extra: object): TaskCommand => ({ type: 'CreateTask', ...base(0), actor: 'alice', name: 'deadline', createdBy: 'alice', subtasks: [step('a'), step('b', ['a'])], ...extra });

describe('projecting deadlines', () => {
  it('shows a missed start as timed_out with START_DEADLINE_MISSED on the Task and its SubTasks', () => {
    const commits = commitsOf([create({ startBefore: at(60) }), { type: 'ExpireTaskStart', ...base(60) }]);
    const folded = foldBatch(new Map(), commits, taskIdOf);
    expect(folded.skipped).toEqual([]);
    expect(folded.taskRows[0]).toMatchObject({ status: 'timed_out', status_reason: 'START_DEADLINE_MISSED', finished_at: at(60), subtasks_finished: 2 });
    expect(folded.subTaskRows.map((r) => [r.status, r.response_code, r.response_message])).toEqual([
      ['cancelled', 'START_DEADLINE_MISSED', `not started before ${at(60)}`],
      ['cancelled', 'START_DEADLINE_MISSED', `not started before ${at(60)}`],
    ]);
  });

  it('shows a timed-out Task with its running SubTask timed_out and the blocked one cancelled, both TASK_TIMEOUT', () => {
    const commits = commitsOf([
      create({ timeoutSeconds: 30 }),
      { type: 'RecordAttemptStarted', ...base(1), actor: 'worker:mails', subTaskId: 'st-a', generation: 1, attempt: 1, jobId: 'st-a:1', queue: 'mails', jobSeq: 1, deliveryId: 'd1' },
      { type: 'TimeOutTask', ...base(30) },
    ]);
    const folded = foldBatch(new Map(), commits, taskIdOf);
    expect(folded.taskRows[0]).toMatchObject({ status: 'timed_out', status_reason: 'TASK_TIMEOUT', subtasks_failed: 1 });
    expect(folded.subTaskRows.map((r) => [r.id, r.status, r.response_code])).toEqual([
      ['st-a', 'timed_out', 'TASK_TIMEOUT'],
      ['st-b', 'cancelled', 'TASK_TIMEOUT'],
    ]);
  });

  it('has no status reason for a Task no deadline ended', () => {
    const folded = foldBatch(new Map(), commitsOf([create({})]), taskIdOf);
    expect(folded.taskRows[0]).toMatchObject({ status: 'queued', status_reason: null });
  });

  it('skips a deadline event whose SubTask lists are not lists of ids, naming the field', () => {
    const [created] = commitsOf([create({ timeoutSeconds: 30 })]);
    const bad = { type: 'TaskTimedOut', version: 1, ...base(30), data: { reason: 'TASK_TIMEOUT', timeoutSeconds: 30, timedOutSubTaskIds: 'st-a', cancelledSubTaskIds: [] } };
    const checked = checkCommit({ seq: 2, subject: created!.subject, events: [bad] }, taskIdOf);
    expect(checked).toMatchObject({ ok: false, reason: 'events[0]: data.timedOutSubTaskIds must be an array of strings' });
  });
});
