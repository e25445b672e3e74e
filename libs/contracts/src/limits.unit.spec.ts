import { describe, expect, it } from 'vitest';
import { MAX_COMMIT_BYTES, MAX_CREATION_COMMIT_BYTES, MAX_DEPENDENCIES_PER_TASK, MAX_SUBTASKS_PER_TASK, taskSizeViolation } from './limits.js';

describe('taskSizeViolation', () => {
  const subtasks = (count: number, edgesEach = 0) => Array.from({ length: count }, () => ({ dependsOn: Array.from({ length: edgesEach }, () => 'k') }));

  it('takes a Task at its limits', () => {
    expect(taskSizeViolation(subtasks(MAX_SUBTASKS_PER_TASK), 'subtasks')).toBeUndefined();
    expect(taskSizeViolation(subtasks(MAX_DEPENDENCIES_PER_TASK / 5, 5), 'subtasks')).toBeUndefined();
  });

  it('takes Tasks of 10,000 SubTasks, a chain of them included', () => {
    expect(MAX_SUBTASKS_PER_TASK).toBe(10_000);
    const chain = Array.from({ length: MAX_SUBTASKS_PER_TASK }, (_, i) => ({ dependsOn: i === 0 ? [] : [`k${i - 1}`] }));
    expect(taskSizeViolation(chain, 'params')).toBeUndefined();
    // A join of all of them beside the chain.
    expect(taskSizeViolation([...chain.slice(1), { dependsOn: chain.map((_, i) => `k${i}`) }], 'params')).toBeUndefined();
  });

  it('leaves room in a creation commit for what is not measured', () => {
    expect(MAX_CREATION_COMMIT_BYTES).toBeLessThan(MAX_COMMIT_BYTES);
    expect(MAX_COMMIT_BYTES - MAX_CREATION_COMMIT_BYTES).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('names the field and the limit one past either', () => {
    expect(taskSizeViolation(subtasks(MAX_SUBTASKS_PER_TASK + 1), 'params')).toEqual({ field: 'params', message: `must have at most ${MAX_SUBTASKS_PER_TASK} SubTasks (has ${MAX_SUBTASKS_PER_TASK + 1})` });
    expect(taskSizeViolation([...subtasks(MAX_DEPENDENCIES_PER_TASK / 5, 5), { dependsOn: ['k'] }], 'subtasks')?.message).toBe(`must have at most ${MAX_DEPENDENCIES_PER_TASK} dependencies in all (has ${MAX_DEPENDENCIES_PER_TASK + 1})`);
  });
});
