import { describe, expect, it } from 'vitest';
import { Topology } from '@vle/contracts';
import { evolve, initialState, type Task, type TaskState } from '@vle/domain';
import { asIncoming, scenario } from '../testing/task-scenarios.js';
import type { IncomingCommit } from './commit.js';
import { foldBatch, type StoredTaskState } from './fold-batch.js';

const topology = new Topology({ namespace: 'unit' });
const taskIdOf = (subject: string) => topology.taskIdOf(subject);

function foldAll(commits: readonly IncomingCommit[]): Map<string, Task> {
  const states = new Map<string, TaskState>();
  for (const c of commits) {
    const id = taskIdOf(c.subject);
    states.set(id, (c.events as never[]).reduce(evolve, states.get(id) ?? initialState));
  }
  return new Map([...states].map(([id, s]) => [id, s as Task]));
}

/** Folds the commits in batches of `size`, carrying the stored states over as the projector does. */
function inBatches(commits: readonly IncomingCommit[], size: number) {
  let stored = new Map<string, StoredTaskState>();
  const rows = new Map<string, unknown>();
  const subRows = new Map<string, unknown>();
  for (let i = 0; i < commits.length; i += size) {
    const folded = foldBatch(stored, commits.slice(i, i + size), taskIdOf);
    stored = new Map([...stored, ...folded.states]);
    for (const r of folded.taskRows) rows.set(r.id, r);
    for (const r of folded.subTaskRows) subRows.set(`${r.task_id}/${r.id}`, r);
  }
  return { stored, rows, subRows };
}

describe('foldBatch', () => {
  const commits = asIncoming(scenario(20, 7), topology);

  it('stores what the folded domain state says', () => {
    const { stored } = inBatches(commits, commits.length);
    const expected = foldAll(commits);
    expect(stored.size).toBe(20);
    for (const [id, task] of expected) expect(stored.get(id)!.state).toEqual(task);
  });

  it('gives the same rows whatever the batch size', () => {
    const one = inBatches(commits, commits.length);
    for (const size of [1, 7, 50]) {
      const other = inBatches(commits, size);
      expect(other.rows).toEqual(one.rows);
      expect(other.subRows).toEqual(one.subRows);
    }
  });

  it('writes only the SubTasks that changed', () => {
    const first = foldBatch(new Map(), commits.slice(0, 1), taskIdOf);
    const task = [...first.states.values()][0]!.state;
    expect(first.subTaskRows).toHaveLength(task.subtasks.length);
    const taskId = task.id;
    const next = commits.findIndex((c, i) => i > 0 && taskIdOf(c.subject) === taskId);
    const second = foldBatch(first.states, [commits[next]!], taskIdOf);
    const changed = (commits[next]!.events as Array<{ data: { subTaskId?: string } }>).map((e) => e.data.subTaskId).filter(Boolean);
    expect(second.subTaskRows.map((r) => r.id).sort()).toEqual([...new Set(changed)].sort());
  });

  it('does not fold a commit twice (delivered twice)', () => {
    const once = foldBatch(new Map(), commits, taskIdOf);
    const again = foldBatch(once.states, commits, taskIdOf);
    expect(again.states.size).toBe(0);
    expect(again.commits).toBe(0);
    const duplicated = foldBatch(new Map(), [...commits.slice(0, 10), ...commits.slice(0, 10)], taskIdOf);
    expect(duplicated.commits).toBe(10);
  });

  it('skips a malformed commit with its reason and applies the others', () => {
    const [first, second] = commits;
    const bad: IncomingCommit = { seq: 1.5, subject: first!.subject, events: [{ type: 'TaskCreated', taskId: 'other', at: 'x', data: {} }] };
    const folded = foldBatch(new Map(), [first!, bad, second!], taskIdOf);
    expect(folded.skipped).toEqual([{ ok: false, seq: 1.5, subject: first!.subject, reason: expect.stringContaining('taskId') }]);
    expect(folded.commits).toBe(2);
  });

  it('redacts secrets in params', () => {
    const folded = foldBatch(new Map(), commits, taskIdOf);
    expect(folded.subTaskRows.every((r) => (r.params as { password?: string }).password === '[REDACTED]')).toBe(true);
  });
});
