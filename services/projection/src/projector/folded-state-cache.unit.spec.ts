import { describe, expect, it } from 'vitest';
import { evolve, initialState, type Task, type TaskEvent } from '@vle/domain';
import { FoldedStateCache } from './folded-state-cache.js';
import type { StoredTaskState } from './fold-batch.js';

const AT = '2026-12-01T10:00:00.000Z';

function task(id: string, subtasks = 2): Task {
  const created: TaskEvent = {
    type: 'TaskCreated',
    version: 1,
    taskId: id,
    at: AT,
    actor: 'test',
    data: {
      name: id,
      createdBy: 'test',
      subtasks: Array.from({ length: subtasks }, (_, i) => ({ id: `${id}-${i}`, key: `k${i}`, name: `n${i}`, action: 'noop', queue: 'bench', params: {}, dependsOn: [], bestEffort: false })),
    },
  } as TaskEvent;
  return evolve(initialState, created) as Task;
}

const stored = (state: Task, lastSeq: number): StoredTaskState => ({ state, lastSeq });

describe('FoldedStateCache', () => {
  it('serves what it committed only on top of the checkpoint it committed', () => {
    const cache = new FoldedStateCache(100);
    expect(cache.lookup(['a', 'b'], 0)).toEqual({ hits: new Map(), misses: ['a', 'b'] });
    cache.committed(0, 10, new Map([['a', stored(task('a'), 10)]]));
    expect(cache.lookup(['a', 'b'], 10)).toEqual({ hits: new Map([['a', stored(task('a'), 10)]]), misses: ['b'] });
    // Another checkpoint (another replica moved it, a restart read it): nothing is served, ever again.
    expect(cache.lookup(['a'], 20).misses).toEqual(['a']);
    expect(cache.lookup(['a'], 10).misses).toEqual(['a']);
  });

  it('forgets everything after a failure and ignores a commit it did not start from', () => {
    const cache = new FoldedStateCache(100);
    cache.lookup([], 0);
    cache.committed(0, 10, new Map([['a', stored(task('a'), 10)]]));
    cache.forget();
    expect(cache.lookup(['a'], 10).misses).toEqual(['a']);
    // A batch committed from 5 while the cache was exact at 10: its states are not trusted.
    cache.committed(5, 20, new Map([['b', stored(task('b'), 20)]]));
    expect(cache.lookup(['b'], 20).misses).toEqual(['b']);
  });

  it('keeps running Tasks within its weight and lets finished ones go', () => {
    const cache = new FoldedStateCache(7);
    cache.lookup([], 0);
    // Weight 1 + SubTasks: three Tasks of 2 SubTasks do not fit in 7.
    cache.committed(0, 3, new Map([['a', stored(task('a'), 1)], ['b', stored(task('b'), 2)], ['c', stored(task('c'), 3)]]));
    expect(cache.lookup(['a', 'b', 'c'], 3).misses).toEqual(['a']);
    const finished = { ...task('b'), status: 'success' } as Task;
    cache.committed(3, 4, new Map([['b', stored(finished, 4)]]));
    expect(cache.lookup(['b', 'c'], 4).misses).toEqual(['b']);
    expect(cache.size).toBe(1);
  });
});
