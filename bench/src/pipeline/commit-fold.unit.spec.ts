import { describe, expect, it } from 'vitest';
import { CommitFold, type ObservedCommit } from './commit-fold.js';

let seq = 0;
const commit = (taskId: string, ...types: string[]): ObservedCommit => {
  seq++;
  return { taskId, seq, serverTime: 1_000 + seq, at: 10 * seq, wallAt: 2_000 + seq, types };
};

describe('CommitFold', () => {
  it('finishes a Task at the commit holding its last success, once its size is known', () => {
    const fold = new CommitFold();
    expect(fold.expect('t1', 2)).toBeUndefined();
    expect(fold.apply(commit('t1', 'TaskCreated', 'SubTaskQueued', 'SubTaskQueued'))).toBeUndefined();
    expect(fold.apply(commit('t1', 'SubTaskAttemptStarted'))).toBeUndefined();
    expect(fold.apply(commit('t1', 'SubTaskSucceeded'))).toBeUndefined();
    const last = commit('t1', 'SubTaskSucceeded');
    const finished = fold.apply(last);
    expect(finished?.finished).toEqual({ at: last.at, wallAt: last.wallAt, seq: last.seq, serverTime: last.serverTime, ok: true });
    expect(finished?.timeline.map((c) => c.types)).toEqual([['TaskCreated', 'SubTaskQueued', 'SubTaskQueued'], ['SubTaskAttemptStarted'], ['SubTaskSucceeded'], ['SubTaskSucceeded']]);
  });

  it('finishes a Task whose reply arrives after its last commit when its size becomes known', () => {
    const fold = new CommitFold();
    fold.apply(commit('t2', 'TaskCreated', 'SubTaskQueued'));
    const last = commit('t2', 'SubTaskSucceeded');
    expect(fold.apply(last)).toBeUndefined();
    expect(fold.expect('t2', 1)?.finished).toMatchObject({ seq: last.seq, at: last.at, ok: true });
  });

  it('does not finish a Task with successes still missing', () => {
    const fold = new CommitFold();
    fold.expect('t3', 5);
    for (let i = 0; i < 4; i++) expect(fold.apply(commit('t3', 'SubTaskSucceeded'))).toBeUndefined();
    expect(fold.get('t3')?.succeeded).toBe(4);
  });

  it('counts several successes in one commit', () => {
    const fold = new CommitFold();
    fold.expect('t4', 2);
    expect(fold.apply(commit('t4', 'SubTaskSucceeded', 'SubTaskSucceeded'))?.finished?.ok).toBe(true);
  });

  it('finishes a Task as failed at its first terminal failure, even before its size is known', () => {
    const fold = new CommitFold();
    const failure = commit('t5', 'SubTaskAttemptFailed', 'SubTaskFailed');
    expect(fold.apply(failure)?.finished).toMatchObject({ seq: failure.seq, ok: false });
    expect(fold.expect('t5', 5)?.finished?.ok).toBe(false);
    expect(fold.counters).toMatchObject({ attemptFailures: 1, failedTasks: 1 });
  });

  it('counts attempt failures that are retried without finishing the Task', () => {
    const fold = new CommitFold();
    fold.expect('t6', 1);
    expect(fold.apply(commit('t6', 'SubTaskAttemptFailed'))).toBeUndefined();
    expect(fold.apply(commit('t6', 'SubTaskSucceeded'))?.finished?.ok).toBe(true);
    expect(fold.counters).toEqual({ commits: 2, events: 2, attemptFailures: 1, failedTasks: 0 });
  });

  it('finishes a Task once only', () => {
    const fold = new CommitFold();
    fold.expect('t7', 1);
    expect(fold.apply(commit('t7', 'SubTaskSucceeded'))).toBeDefined();
    expect(fold.apply(commit('t7', 'SubTaskSucceeded'))).toBeUndefined();
  });
});
