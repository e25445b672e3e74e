import { describe, expect, it } from 'vitest';
import { MAX_DEPENDENCIES_PER_TASK, MAX_SUBTASKS_PER_TASK, taskSizeViolation } from './limits.js';

describe('taskSizeViolation', () => {
  const subtasks = (count: number, edgesEach = 0) => Array.from({ length: count }, () => ({ dependsOn: Array.from({ length: edgesEach }, () => 'k') }));

  it('takes a Task at its limits', () => {
    expect(taskSizeViolation(subtasks(MAX_SUBTASKS_PER_TASK), 'subtasks')).toBeUndefined();
    expect(taskSizeViolation(subtasks(MAX_DEPENDENCIES_PER_TASK / 5, 5), 'subtasks')).toBeUndefined();
  });

  it('names the field and the limit one past either', () => {
    expect(taskSizeViolation(subtasks(MAX_SUBTASKS_PER_TASK + 1), 'params')).toEqual({ field: 'params', message: `must have at most ${MAX_SUBTASKS_PER_TASK} SubTasks (has ${MAX_SUBTASKS_PER_TASK + 1})` });
    expect(taskSizeViolation([...subtasks(MAX_DEPENDENCIES_PER_TASK / 5, 5), { dependsOn: ['k'] }], 'subtasks')?.message).toBe(`must have at most ${MAX_DEPENDENCIES_PER_TASK} dependencies in all (has ${MAX_DEPENDENCIES_PER_TASK + 1})`);
  });
});
