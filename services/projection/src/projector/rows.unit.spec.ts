import { evolve, exists, initialState, type TaskEvent } from '@vle/domain';
import { describe, expect, it } from 'vitest';
import { toTaskRow } from './rows.js';

const taskId = '0196e2b8-1a2b-7c3d-8e4f-5a6b7c8d9e0f';
const at = '2026-12-01T10:00:00.000Z';
const planned = (key: string) => ({ id: `${taskId}-${key}`, key, name: key, action: 'noop', queue: 'bench' as const, params: {}, dependsOn: [], bestEffort: false });

describe('toTaskRow', () => {
  it('counts the SubTasks a Task still being planned in parts will have', () => {
    const created = { type: 'TaskCreated', version: 1, taskId, at, actor: 't', data: { name: 'big', createdBy: 't', subtasks: [planned('a'), planned('b')], subtaskCount: 5, planBefore: '2026-12-01T10:30:00.000Z' } } as TaskEvent;
    const state = evolve(initialState, created);
    if (!exists(state)) throw new Error('no Task');
    expect(state.status).toBe('planning');
    expect(toTaskRow(state, 7)).toMatchObject({ status: 'planning', subtasks_total: 5, subtasks_finished: 0, subtasks_failed: 0, last_seq: 7 });
  });
});
