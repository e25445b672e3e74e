import { describe, expect, it } from 'vitest';
import { at, cmd, createTask, draft, given, run, succeedAll, taskOf, violation } from './testing.js';

describe('pinning a Task', () => {
  const created = given([]).when(createTask([draft('a'), draft('b', ['a'])])).history;
  const done = succeedAll(created, 'st-a', 'st-b');

  it('records who pinned a finished Task and why, and keeps its status and finish time', () => {
    const before = taskOf(done);
    const pinned = given(done).when(cmd.pin(at(90), 'alice'));
    expect(pinned.events).toEqual([expect.objectContaining({ type: 'TaskPinned', actor: 'alice', at: at(90), data: { reason: 'evidence' } })]);
    expect(pinned.task()).toMatchObject({ pinned: true, status: 'success', finishedAt: before.finishedAt });
  });

  it('pins a Task that still runs, and it runs on', () => {
    const pinned = run([cmd.pin()], created);
    expect(taskOf(pinned)).toMatchObject({ pinned: true, status: 'queued' });
    expect(taskOf(run([cmd.start({ subTaskId: 'st-a' })], pinned)).status).toBe('running');
  });

  it('is idempotent: pinning a pinned Task, or unpinning one that is not, decides nothing', () => {
    const pinned = run([cmd.pin()], done);
    expect(given(pinned).when(cmd.pin()).events).toEqual([]);
    expect(given(done).when(cmd.unpin()).events).toEqual([]);
  });

  it('unpins: the retention policy applies again', () => {
    const unpinned = given(run([cmd.pin()], done)).when(cmd.unpin(at(100), 'bob'));
    expect(unpinned.events).toEqual([expect.objectContaining({ type: 'TaskUnpinned', actor: 'bob', data: { reason: 'done' } })]);
    expect(unpinned.task().pinned).toBe(false);
    expect(taskOf(run([cmd.pin()], unpinned.history)).pinned).toBe(true);
  });

  it('refuses a Task that does not exist', () => {
    expect(violation(() => given([]).when(cmd.pin())).code).toBe('TASK_NOT_FOUND');
  });
});
