// The bench's fold of the event log: for every Task, the commits seen (their event types and server
// timestamps) and whether it has finished. A Task is finished when as many SubTaskSucceeded as it
// has SubTasks were seen, or at its first terminal failure. Commits may be seen before task-api's
// reply names the Task (the follower is faster than the reply), so a fold is kept for every subject
// and matched when the bench learns how many SubTasks the Task has.

import type { TaskEventType } from '@vle/domain';

/** One commit as the follower saw it. */
export interface ObservedCommit {
  readonly taskId: string;
  readonly seq: number;
  /** The server's timestamp of the commit (ms since the epoch). */
  readonly serverTime: number;
  /** performance.now() and Date.now() when the bench received it. */
  readonly at: number;
  readonly wallAt: number;
  readonly types: readonly string[];
}

export interface TimelineEntry {
  readonly serverTime: number;
  readonly types: readonly string[];
}

export interface Finish {
  readonly at: number;
  readonly wallAt: number;
  readonly seq: number;
  readonly serverTime: number;
  readonly ok: boolean;
}

export interface TaskFold {
  succeeded: number;
  failed: boolean;
  expected?: number;
  readonly timeline: TimelineEntry[];
  /** The commit that finished the Task (its last success, or its failure). */
  last?: Finish;
  finished?: Finish;
}

export interface FoldCounters {
  commits: number;
  events: number;
  attemptFailures: number;
  failedTasks: number;
}

const SUCCEEDED: TaskEventType = 'SubTaskSucceeded';
const ATTEMPT_FAILED: TaskEventType = 'SubTaskAttemptFailed';
/** Ends a SubTask for good without success: the Task cannot succeed any more. */
const TERMINAL_FAILURES: ReadonlySet<string> = new Set<TaskEventType>(['SubTaskFailed', 'SubTaskTimedOut', 'SubTaskCancelled', 'TaskTimedOut', 'TaskStartDeadlineMissed']);

export class CommitFold {
  readonly counters: FoldCounters = { commits: 0, events: 0, attemptFailures: 0, failedTasks: 0 };
  private readonly tasks = new Map<string, TaskFold>();

  /** Folds one commit; returns the Task's fold if this commit finished it. */
  apply(commit: ObservedCommit): TaskFold | undefined {
    this.counters.commits++;
    this.counters.events += commit.types.length;
    const fold = this.foldOf(commit.taskId);
    fold.timeline.push({ serverTime: commit.serverTime, types: commit.types });
    let decisive = false;
    for (const type of commit.types) {
      if (type === SUCCEEDED) {
        fold.succeeded++;
        decisive = true;
      } else if (type === ATTEMPT_FAILED) this.counters.attemptFailures++;
      else if (TERMINAL_FAILURES.has(type)) {
        fold.failed = true;
        decisive = true;
      }
    }
    if (decisive && fold.finished === undefined) fold.last = { at: commit.at, wallAt: commit.wallAt, seq: commit.seq, serverTime: commit.serverTime, ok: !fold.failed };
    return this.settle(fold);
  }

  /** Says how many SubTasks a Task has; returns its fold if it had already finished. */
  expect(taskId: string, subtasks: number): TaskFold | undefined {
    const fold = this.foldOf(taskId);
    fold.expected = subtasks;
    if (fold.finished) return fold;
    return this.settle(fold);
  }

  get(taskId: string): TaskFold | undefined {
    return this.tasks.get(taskId);
  }

  private foldOf(taskId: string): TaskFold {
    let fold = this.tasks.get(taskId);
    if (!fold) this.tasks.set(taskId, (fold = { succeeded: 0, failed: false, timeline: [] }));
    return fold;
  }

  private settle(fold: TaskFold): TaskFold | undefined {
    if (fold.finished !== undefined || fold.last === undefined) return undefined;
    const done = fold.failed || (fold.expected !== undefined && fold.succeeded >= fold.expected);
    if (!done) return undefined;
    fold.finished = fold.last;
    if (fold.failed) this.counters.failedTasks++;
    return fold;
  }
}
