import { describe, expect, it } from 'vitest';
import { Topology } from '@vle/contracts';
import { asIncoming, scenario } from '../testing/task-scenarios.js';
import { checkCommit, type IncomingCommit } from './commit.js';

const topology = new Topology();
const taskIdOf = (subject: string) => topology.taskIdOf(subject);
const good = asIncoming(scenario(1, 3), topology)[0]!;
const created = (good.events as Array<Record<string, unknown>>)[0]!;
const withEvent = (event: unknown): IncomingCommit => ({ ...good, events: [event] });
const withData = (data: Record<string, unknown>) => withEvent({ ...created, data: { ...(created.data as object), ...data } });

describe('checkCommit', () => {
  it('accepts what decide produced', () => {
    expect(checkCommit(good, taskIdOf)).toMatchObject({ ok: true, seq: 1, events: good.events });
  });

  it.each([
    ['a subject without a uuid', { ...good, subject: 'tasks.evt.not-a-uuid' }, 'uuid'],
    ['no events', { ...good, events: [] }, 'non-empty'],
    ['events that are no array', { ...good, events: { type: 'TaskCreated' } }, 'non-empty'],
    ['a malformed message', { ...good, events: undefined, malformed: 'not UTF-8 JSON' }, 'not UTF-8 JSON'],
    ['an event of another task', withEvent({ ...created, taskId: '00000000-0000-7000-8000-000000000000' }), 'taskId'],
    ['a bad time', withEvent({ ...created, at: 'yesterday' }), 'at must be'],
    ['no data', withEvent({ ...created, data: null }), 'data must be'],
    ['a created task without name', withData({ name: 42 }), 'data.name'],
    ['a bad startAt', withData({ startAt: '2026-13-45' }), 'data.startAt'],
    ['subtasks that are no array', withData({ subtasks: 'x' }), 'data.subtasks'],
    ['a subtask without id', withData({ subtasks: [{ key: 'a' }] }), 'data.subtasks[0].id'],
    ['a bad subtaskCount', withData({ subtaskCount: 'many' }), 'data.subtaskCount'],
    ['a part without its index', withEvent({ ...created, type: 'SubTasksPlanned', data: { subtasks: [] } }), 'data.part'],
    ['a part whose subtasks are no array', withEvent({ ...created, type: 'SubTasksPlanned', data: { part: 1, subtasks: 'x' } }), 'data.subtasks'],
    ['a part with a subtask without id', withEvent({ ...created, type: 'SubTasksPlanned', data: { part: 2, subtasks: [{ key: 'a' }] } }), 'data.subtasks[0].id'],
  ])('rejects %s', (_, commit, reason) => {
    const checked = checkCommit(commit as IncomingCommit, taskIdOf);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.reason).toContain(reason);
  });

  it('accepts a part of a Task created in parts', () => {
    const subtasks = (created.data as { subtasks: unknown[] }).subtasks;
    expect(checkCommit(withEvent({ ...created, type: 'SubTasksPlanned', data: { part: 1, subtasks } }), taskIdOf).ok).toBe(true);
  });

  it('passes an event type of a newer version (evolve ignores it)', () => {
    expect(checkCommit(withEvent({ ...created, type: 'TaskRenamed', data: {} }), taskIdOf).ok).toBe(true);
  });
});
