import { describe, expect, it } from 'vitest';
import { sizedTask, standardTask, subtaskCount } from './task-shapes.js';

describe('task shapes', () => {
  it('makes a sized Task a typed bench plan of one small request, whatever its size', () => {
    const task = sizedTask('big', 'bench', 'chain', 10_000);
    expect(task).toMatchObject({ type: 'bench.chain', params: { subtasks: 10_000, action: 'noop' } });
    expect(JSON.stringify(task).length).toBeLessThan(200);
    expect(sizedTask('wide', 'bench', 'fan-out', 10).type).toBe('bench.fan_out');
  });

  it('counts the SubTasks of a plan and of an explicit DAG', () => {
    expect(subtaskCount(sizedTask('big', 'bench', 'fan-out', 1_000))).toBe(1_000);
    expect(subtaskCount(standardTask('std', 'bench'))).toBe(5);
  });
});
