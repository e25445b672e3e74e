// What the rules ask of a Task's SubTasks at every event (where is SubTask x, who waits on it, how
// many are running, which may run now), answered without walking all of them (issue 9: a Task's
// cost linear in its size). Kept beside the state, never in it: the state is plain data that the
// projection stores as JSON. Each SubTask array of a state (a new one per commit) has its index in a
// WeakMap: the fold of a commit derives the next one from the last, and a state read back from JSON
// gets one built once, on first use.

import type { SubTask, Task } from './state.js';
import { hasFailed, isFinished, isInFlight, isRequiredFailure, satisfies } from './subtask-status.js';

/** How many SubTasks of one array are in each condition the Task's status is derived from. */
export interface Tally {
  readonly running: number;
  readonly inFlight: number;
  readonly finished: number;
  /** Failed or timed out, best effort or not. */
  readonly failed: number;
  readonly requiredFailures: number;
  /** Started an attempt or finished. */
  readonly begun: number;
  /** Have a `startedAt`. */
  readonly everStarted: number;
}

export type MutableTally = { -readonly [K in keyof Tally]: number };

export const NO_SUBTASKS: Tally = { running: 0, inFlight: 0, finished: 0, failed: 0, requiredFailures: 0, begun: 0, everStarted: 0 };

/** Adds (`sign` 1) or takes away (-1) one SubTask's part of the tally. */
export function count(tally: MutableTally, s: SubTask, sign: 1 | -1): void {
  const finished = isFinished(s);
  if (s.status === 'running') tally.running += sign;
  if (isInFlight(s)) tally.inFlight += sign;
  if (finished) tally.finished += sign;
  if (hasFailed(s)) tally.failed += sign;
  if (isRequiredFailure(s)) tally.requiredFailures += sign;
  if (s.attempt > 0 || finished) tally.begun += sign;
  if (s.startedAt) tally.everStarted += sign;
}

/**
 * Where the SubTasks of one Task are, and who depends on whom: fixed once planned (a SubTask keeps
 * its position, its id and its dependencies), so every state of the Task shares it. While a Task is
 * planned in parts it only grows.
 */
export class Layout {
  private dependents?: { readonly size: number; readonly lists: readonly (readonly number[])[] };

  private constructor(private readonly positions: Map<string, number>) {}

  static of(subtasks: readonly SubTask[]): Layout {
    return new Layout(new Map(subtasks.map((s, i) => [s.id, i])));
  }

  static empty(): Layout {
    return new Layout(new Map());
  }

  /** The position of SubTask `id` in `subtasks` (an array of this layout's Task), or undefined. */
  find(id: string, subtasks: readonly SubTask[]): number | undefined {
    const position = this.positions.get(id);
    if (position === undefined) return undefined;
    if (position < subtasks.length && subtasks[position]!.id === id) return position;
    // Only a log that names one id twice gets here; the answer stays right, if slower.
    const found = subtasks.findIndex((s) => s.id === id);
    return found < 0 ? undefined : found;
  }

  /**
   * This layout with `added` appended after `length` SubTasks. Extended in place when it ends
   * there (the usual case: one state after another); copied when another fold from the same state
   * extended it already, so that neither sees the other's SubTasks.
   */
  extendedBy(length: number, added: readonly SubTask[], all: readonly SubTask[]): Layout {
    if (added.length === 0) return this;
    if (this.positions.size !== length) return Layout.of(all);
    added.forEach((s, i) => this.positions.set(s.id, length + i));
    this.dependents = undefined;
    return this;
  }

  /** The positions of the SubTasks that depend on the one at `position`, among the first `size`. */
  dependentsOf(position: number, size: number, at: (position: number) => SubTask): readonly number[] {
    if (this.dependents?.size !== size) this.dependents = { size, lists: dependentsIn(size, at, (id) => this.positions.get(id)) };
    return this.dependents.lists[position] ?? [];
  }
}

/** For each of the first `size` SubTasks, the positions of those that depend on it. */
export function dependentsIn(size: number, at: (position: number) => SubTask, find: (id: string) => number | undefined): number[][] {
  const lists: number[][] = Array.from({ length: size }, () => []);
  for (let position = 0; position < size; position++) {
    for (const id of at(position).dependsOn) {
      const dependency = find(id);
      if (dependency !== undefined && dependency < size) lists[dependency]!.push(position);
    }
  }
  return lists;
}

export interface SubTaskIndex {
  readonly layout: Layout;
  readonly tally: Tally;
  /** The blocked SubTasks whose dependencies all let them run, by position, ascending. */
  readonly ready: readonly number[];
}

const indexes = new WeakMap<readonly SubTask[], SubTaskIndex>();

/** The index of a state's SubTasks: the one its fold left, or one built now (a state read from JSON). */
export function indexOf(subtasks: readonly SubTask[]): SubTaskIndex {
  let index = indexes.get(subtasks);
  if (!index) {
    index = build(subtasks);
    indexes.set(subtasks, index);
  }
  return index;
}

export function remember(subtasks: readonly SubTask[], index: SubTaskIndex): void {
  indexes.set(subtasks, index);
}

function build(subtasks: readonly SubTask[]): SubTaskIndex {
  const layout = Layout.of(subtasks);
  const tally: MutableTally = { ...NO_SUBTASKS };
  const ready: number[] = [];
  subtasks.forEach((s, position) => {
    count(tally, s, 1);
    if (isReady(s, (id) => subTaskAt(subtasks, layout.find(id, subtasks)))) ready.push(position);
  });
  return { layout, tally, ready };
}

function subTaskAt(subtasks: readonly SubTask[], position: number | undefined): SubTask | undefined {
  return position === undefined ? undefined : subtasks[position];
}

/**
 * Blocked, and every dependency lets it run. Dependencies are looked at from the last: a SubTask
 * waiting on many usually waits on those queued last.
 */
export function isReady(s: SubTask, dependency: (id: string) => SubTask | undefined): boolean {
  if (s.status !== 'blocked') return false;
  for (let i = s.dependsOn.length - 1; i >= 0; i--) {
    const d = dependency(s.dependsOn[i]!);
    if (d === undefined || !satisfies(d)) return false;
  }
  return true;
}

/** How many of the Task's SubTasks are finished, failed, running...: what its status is derived from, in constant time. */
export function subTaskTally(task: Pick<Task, 'subtasks'>): Tally {
  return indexOf(task.subtasks).tally;
}

/** The SubTask `id` of the Task, in constant time. */
export function subTaskById(task: Pick<Task, 'subtasks'>, id: string): SubTask | undefined {
  return subTaskAt(task.subtasks, indexOf(task.subtasks).layout.find(id, task.subtasks));
}
