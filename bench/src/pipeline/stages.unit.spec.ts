import { describe, expect, it } from 'vitest';
import { stageSummaries, stagesOf, type StagedTask } from './stages.js';

// One Task of the standard shape as its commits appear on the log (server times in ms).
const task: StagedTask = {
  submittedWall: 1_000,
  finishedWall: 1_032,
  timeline: [
    { serverTime: 1_002, types: ['TaskCreated', 'SubTaskQueued', 'SubTaskQueued', 'SubTaskQueued', 'SubTaskQueued'] },
    { serverTime: 1_005, types: ['SubTaskAttemptStarted'] },
    { serverTime: 1_006, types: ['SubTaskAttemptStarted'] },
    { serverTime: 1_007, types: ['SubTaskSucceeded'] },
    { serverTime: 1_007, types: ['SubTaskAttemptStarted'] },
    { serverTime: 1_008, types: ['SubTaskAttemptStarted'] },
    { serverTime: 1_009, types: ['SubTaskSucceeded'] },
    { serverTime: 1_010, types: ['SubTaskSucceeded'] },
    { serverTime: 1_014, types: ['SubTaskSucceeded', 'SubTaskQueued'] },
    { serverTime: 1_020, types: ['SubTaskAttemptStarted'] },
    { serverTime: 1_030, types: ['SubTaskSucceeded'] },
  ],
};

describe('stagesOf', () => {
  it('splits a Task of the standard shape into its stages from the commit timestamps', () => {
    expect(stagesOf(task)).toEqual({ command: 2, dispatchLevel1: 3, runLevel1: 9, dispatchLevel2: 6, runLevel2: 10, observe: 2 });
  });

  it('counts the events of grouped commits (the parallel SubTasks started and finished together)', () => {
    const grouped: StagedTask = {
      submittedWall: 1_000,
      finishedWall: 1_020,
      timeline: [
        { serverTime: 1_002, types: ['TaskCreated', 'SubTaskQueued', 'SubTaskQueued', 'SubTaskQueued', 'SubTaskQueued'] },
        { serverTime: 1_004, types: ['SubTaskAttemptStarted', 'SubTaskAttemptStarted', 'SubTaskAttemptStarted', 'SubTaskAttemptStarted'] },
        { serverTime: 1_007, types: ['SubTaskSucceeded', 'SubTaskSucceeded', 'SubTaskSucceeded', 'SubTaskSucceeded', 'SubTaskQueued'] },
        { serverTime: 1_010, types: ['SubTaskAttemptStarted'] },
        { serverTime: 1_018, types: ['SubTaskSucceeded'] },
      ],
    };
    expect(stagesOf(grouped)).toEqual({ command: 2, dispatchLevel1: 2, runLevel1: 3, dispatchLevel2: 3, runLevel2: 8, observe: 2 });
  });

  it('leaves out a Task whose log does not have the standard shape', () => {
    expect(stagesOf({ ...task, timeline: task.timeline.filter((c) => !c.types.includes('SubTaskQueued') || c.types.includes('TaskCreated')) })).toBeUndefined();
    expect(stagesOf({ ...task, timeline: task.timeline.slice(0, 4) })).toBeUndefined();
  });
});

describe('stageSummaries', () => {
  it('summarizes every stage over the Tasks that have the shape', () => {
    const summaries = stageSummaries([task, { ...task, timeline: [] }]);
    expect(summaries.runLevel1).toEqual({ n: 1, p50: 9, p99: 9, max: 9, mean: 9 });
    expect(summaries.observe.n).toBe(1);
  });
});
