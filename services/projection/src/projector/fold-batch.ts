// The pure half of applying a batch: fold each accepted commit into the stored state of its Task, in
// stream order, and say which rows changed. The other half (task.projector.ts) does the I/O.

import { evolve, exists, initialState, type Task, type TaskState } from '@vle/domain';
import { checkCommit, isUuid, type IncomingCommit, type RejectedCommit } from './commit.js';
import { changedSubTaskRows, toStateRow, toTaskRow, type StateRow, type SubTaskRow, type TaskRow } from './rows.js';

export interface StoredTaskState {
  readonly state: Task;
  /** Stream sequence of the last commit folded into `state`. */
  readonly lastSeq: number;
}

export interface ChangedTask {
  readonly state: Task;
  readonly lastSeq: number;
}

export interface FoldedBatch {
  /** New state per Task touched by the batch. */
  readonly states: ReadonlyMap<string, ChangedTask>;
  readonly stateRows: StateRow[];
  readonly taskRows: TaskRow[];
  readonly subTaskRows: SubTaskRow[];
  readonly skipped: RejectedCommit[];
  /** Commits folded (seen for the first time and accepted). */
  readonly commits: number;
  readonly events: number;
}

/** The Task ids whose stored state a batch needs (ids that are no uuid belong to rejected commits). */
export function taskIdsOf(commits: readonly IncomingCommit[], taskIdOf: (subject: string) => string): string[] {
  return [...new Set(commits.map((c) => taskIdOf(c.subject)).filter(isUuid))];
}

/**
 * The Tasks whose first commit in `commits` opens with TaskCreated: most likely new, so their state
 * need not be read before folding (the write checks that presumption, APPLY_BATCH).
 */
export function createdIn(commits: readonly IncomingCommit[], taskIdOf: (subject: string) => string): Set<string> {
  const seen = new Set<string>();
  const created = new Set<string>();
  for (const commit of commits) {
    const taskId = taskIdOf(commit.subject);
    if (seen.has(taskId)) continue;
    seen.add(taskId);
    const first: unknown = Array.isArray(commit.events) ? commit.events[0] : undefined;
    if ((first as { type?: unknown } | undefined)?.type === 'TaskCreated') created.add(taskId);
  }
  return created;
}

export function foldBatch(
  stored: ReadonlyMap<string, StoredTaskState>,
  commits: readonly IncomingCommit[],
  taskIdOf: (subject: string) => string,
): FoldedBatch {
  const states = new Map<string, ChangedTask>();
  const skipped: RejectedCommit[] = [];
  let folded = 0;
  let events = 0;
  for (const commit of commits) {
    const checked = checkCommit(commit, taskIdOf);
    if (!checked.ok) {
      skipped.push(checked);
      continue;
    }
    const current = states.get(checked.taskId) ?? stored.get(checked.taskId);
    // Already folded (the same commit delivered twice): applying it again would count it twice.
    if (current && checked.seq <= current.lastSeq) continue;
    let state: TaskState = current?.state ?? initialState;
    try {
      for (const event of checked.events) state = evolve(state, event);
    } catch (error) {
      // evolve never throws on well-formed events; a shape the checks missed lands here.
      skipped.push({ ok: false, seq: checked.seq, subject: checked.subject, reason: `evolve failed: ${(error as Error).message}` });
      continue;
    }
    folded += 1;
    events += checked.events.length;
    // Events of a Task that was never created change nothing (evolve leaves `absent` as it is).
    if (exists(state)) states.set(checked.taskId, { state, lastSeq: checked.seq });
  }
  const stateRows: StateRow[] = [];
  const taskRows: TaskRow[] = [];
  const subTaskRows: SubTaskRow[] = [];
  for (const [taskId, changed] of states) {
    stateRows.push(toStateRow(changed.state, changed.lastSeq));
    taskRows.push(toTaskRow(changed.state, changed.lastSeq));
    subTaskRows.push(...changedSubTaskRows(stored.get(taskId)?.state, changed.state));
  }
  return { states, stateRows, taskRows, subTaskRows, skipped, commits: folded, events };
}
