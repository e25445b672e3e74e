// The fold of a run of events onto a Task (one commit, or a whole history): the same state as
// evolving them one at a time, for the cost of what they change. The SubTask array is copied once,
// at the end, instead of once per event; each event's derived status comes from the tally of the
// SubTasks (subtask-index.ts) instead of a walk over all of them; readiness is looked at only for
// the SubTasks the events changed and those that depend on them. decide folds its decision too,
// without the copy, to see which SubTasks it makes ready.

import { endedSubTasks } from './deadlines.js';
import type { PlannedSubTask, SubTasksPlanned, TaskCreated, TaskEvent } from './events.js';
import type { Planning, SubTask, Task, TaskState } from './state.js';
import { progressOf, statusOf, TERMINAL_TASK_STATUSES } from './status.js';
import { count, dependentsIn, indexOf, isReady, Layout, NO_SUBTASKS, remember, type MutableTally } from './subtask-index.js';
import { satisfies } from './subtask-status.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type SubTaskPatch = Partial<Omit<SubTask, 'id'>>;

export class TaskFold {
  /** The Task as folded so far: a copy of the state's, made at the first event. */
  private task: Mutable<Task> | undefined;
  private changed = false;
  private readonly baseSubtasks: readonly SubTask[];
  private readonly baseReady: readonly number[];
  private readonly layout: Layout;
  private readonly tally: MutableTally;
  /** SubTasks planned by these events, after the state's. */
  private readonly added: SubTask[] = [];
  private readonly addedPositions = new Map<string, number>();
  /** The state's SubTasks these events replaced, by position. */
  private readonly replaced = new Map<number, SubTask>();
  /** Positions whose readiness may have changed. */
  private readonly touched = new Set<number>();
  private addedDependents?: { readonly size: number; readonly lists: readonly (readonly number[])[] };

  constructor(private readonly state: TaskState) {
    if (state.status === 'absent') {
      this.baseSubtasks = [];
      this.baseReady = [];
      this.layout = Layout.empty();
      this.tally = { ...NO_SUBTASKS };
    } else {
      const index = indexOf(state.subtasks);
      this.baseSubtasks = state.subtasks;
      this.baseReady = index.ready;
      this.layout = index.layout;
      this.tally = { ...index.tally };
    }
  }

  apply(event: TaskEvent): this {
    if (event.type === 'TaskCreated') {
      if (this.task === undefined && this.state.status === 'absent') this.create(event);
      return this;
    }
    const task = this.current();
    if (task && this.applyTo(task, event)) this.derive(event.at);
    return this;
  }

  /** The state after the events: the same object when none of them changed anything. */
  result(): TaskState {
    const task = this.task;
    if (!this.changed || !task) return this.state;
    if (this.added.length === 0 && this.replaced.size === 0) {
      task.subtasks = this.baseSubtasks;
      return task;
    }
    const subtasks = this.baseSubtasks.slice();
    for (const s of this.added) subtasks.push(s);
    for (const [position, s] of this.replaced) subtasks[position] = s;
    remember(subtasks, { layout: this.layout.extendedBy(this.baseSubtasks.length, this.added, subtasks), tally: { ...this.tally }, ready: this.ready() });
    task.subtasks = subtasks;
    return task;
  }

  /**
   * The SubTasks that may be queued after the events, in creation order: blocked, every dependency
   * done, in a Task that runs (started, planned, neither cancelled nor ended by a deadline).
   */
  runnable(): SubTask[] {
    const task = this.current();
    if (!task || !task.started || task.cancelRequested || task.planning !== undefined || task.endReason !== undefined) return [];
    return this.ready().map((position) => this.at(position));
  }

  /**
   * The Task's own fields as folded so far, copied (its SubTasks are read one by one with
   * `subTask`), or undefined before TaskCreated: what a history shows of the Task around each
   * event, without the copy of the SubTask array `result()` makes.
   */
  taskFields(): Omit<Task, 'subtasks'> | undefined {
    const task = this.current();
    if (!task) return undefined;
    const { subtasks: _subtasks, ...fields } = task;
    return fields;
  }

  /** SubTask `id` as folded so far. A SubTask is never changed in place: a reference kept stays as it was. */
  subTask(id: string): SubTask | undefined {
    const position = this.find(id);
    return position === undefined ? undefined : this.at(position);
  }

  private current(): Mutable<Task> | undefined {
    if (this.task === undefined && this.state.status !== 'absent') this.task = { ...this.state };
    return this.task;
  }

  private get size(): number {
    return this.baseSubtasks.length + this.added.length;
  }

  private at(position: number): SubTask {
    const base = this.baseSubtasks.length;
    return this.replaced.get(position) ?? (position < base ? this.baseSubtasks[position]! : this.added[position - base]!);
  }

  private find(id: string): number | undefined {
    return this.addedPositions.get(id) ?? this.layout.find(id, this.baseSubtasks);
  }

  private ready(): readonly number[] {
    if (this.touched.size === 0) return this.baseReady;
    const kept = this.baseReady.filter((position) => !this.touched.has(position));
    const dependency = (id: string) => {
      const position = this.find(id);
      return position === undefined ? undefined : this.at(position);
    };
    const found = [...this.touched].filter((position) => isReady(this.at(position), dependency)).sort((a, b) => a - b);
    return merge(kept, found);
  }

  private create(event: TaskCreated): void {
    const { subtasks: planned, subtaskCount, planBefore, ...definition } = event.data;
    const started = definition.startAt === undefined || Date.parse(definition.startAt) <= Date.parse(event.at);
    const planning = subtaskCount !== undefined && subtaskCount > planned.length ? planningOf(subtaskCount, definition.startBefore === undefined ? planBefore : undefined) : undefined;
    this.task = {
      ...definition,
      ...(planning?.deadline !== undefined ? { startBefore: planning.deadline } : {}),
      status: 'queued',
      id: event.taskId,
      started,
      activeSince: started ? event.at : undefined,
      cancelRequested: false,
      manualIntervention: false,
      subtasks: this.baseSubtasks,
      ...(planning ? { planning } : {}),
      progress: 0,
      createdAt: event.at,
      updatedAt: event.at,
      version: 0,
    };
    for (const p of planned) this.add(p, event.at);
    this.derive(event.at);
  }

  /** The next part of a Task created in parts; any other part (out of order, a repeat) is ignored. */
  private plan(task: Mutable<Task>, event: SubTasksPlanned): boolean {
    const planning = task.planning;
    if (planning === undefined || event.data.part !== planning.parts || !Array.isArray(event.data.subtasks)) return false;
    for (const p of event.data.subtasks) this.add(p, event.at);
    if (this.size < planning.total) {
      task.planning = { ...planning, parts: planning.parts + 1 };
      return true;
    }
    delete task.planning;
    // The planning deadline stood in for a start deadline the creator did not give.
    if (planning.deadline !== undefined) delete task.startBefore;
    return true;
  }

  private applyTo(task: Mutable<Task>, event: Exclude<TaskEvent, TaskCreated>): boolean {
    const at = event.at;
    switch (event.type) {
      case 'SubTasksPlanned':
        return this.plan(task, event);
      case 'TaskStarted':
        task.started = true;
        task.activeSince = at;
        return true;
      case 'SubTaskQueued':
        return this.patch(event.data.subTaskId, at, {
          status: 'queued',
          generation: event.data.generation,
          attempt: 0,
          jobSeq: undefined,
          deliveryId: undefined,
          queuedAt: at,
          nextAttemptAt: undefined,
        });
      case 'SubTaskAttemptStarted':
        return this.patch(event.data.subTaskId, at, (s) => ({
          status: 'running',
          attempt: event.data.attempt,
          // States folded before the count existed (stored read-model states) have none.
          executions: (s.executions ?? 0) + 1,
          jobId: event.data.jobId,
          jobSeq: event.data.jobSeq ?? s.jobSeq,
          deliveryId: event.data.deliveryId,
          startedAt: s.startedAt ?? at,
          nextAttemptAt: undefined,
        }));
      case 'SubTaskSucceeded':
        return this.patch(event.data.subTaskId, at, {
          status: 'success',
          responseCode: event.data.responseCode,
          responseMessage: event.data.responseMessage,
          finishedAt: at,
        });
      case 'SubTaskAttemptFailed':
        return this.patch(event.data.subTaskId, at, (s) => ({
          status: 'retrying',
          responseCode: event.data.responseCode,
          responseMessage: event.data.responseMessage,
          nextAttemptAt: event.data.nextAttemptAt,
          failedAttempts: s.failedAttempts + 1,
        }));
      case 'SubTaskFailed':
        return this.patch(event.data.subTaskId, at, (s) => ({
          status: 'failed',
          responseCode: event.data.responseCode,
          responseMessage: event.data.responseMessage,
          failedAttempts: s.failedAttempts + 1,
          finishedAt: at,
        }));
      case 'SubTaskTimedOut':
        return this.patch(event.data.subTaskId, at, (s) => ({
          status: 'timed_out',
          responseCode: 'TIMEOUT',
          responseMessage: `attempt ${event.data.attempt} did not finish within ${event.data.timeoutSeconds} s`,
          failedAttempts: s.failedAttempts + 1,
          finishedAt: at,
        }));
      case 'SubTaskRetryRequested':
        this.patch(event.data.subTaskId, at, { finishedAt: undefined });
        task.manualIntervention = true;
        return true;
      case 'SubTaskSkipped':
        this.patch(event.data.subTaskId, at, { status: 'skipped', finishedAt: at, nextAttemptAt: undefined });
        task.manualIntervention = true;
        return true;
      case 'SubTaskObjectReserved':
        return this.patch(event.data.subTaskId, at, { objectType: event.data.objectType, objectId: event.data.objectId, reservedBy: `${event.data.generation}:${event.data.attempt}` });
      case 'TaskCancelRequested':
        task.cancelRequested = true;
        for (const id of event.data.cancelledSubTaskIds ?? []) this.patch(id, at, cancelled(at));
        return true;
      case 'SubTaskCancelled':
        return this.patch(event.data.subTaskId, at, cancelled(at));
      case 'TaskPinned':
        task.pinned = true;
        return true;
      case 'TaskUnpinned':
        task.pinned = false;
        return true;
      case 'TaskStartDeadlineMissed':
      case 'TaskTimedOut':
        task.endReason = event.data.reason;
        for (const [id, ended] of endedSubTasks(event)) this.patch(id, at, { ...ended, finishedAt: at, nextAttemptAt: undefined });
        return true;
      default: {
        // Exhaustive at compile time; at run time an event type from a newer version is ignored.
        const unknown: never = event;
        void unknown;
        return false;
      }
    }
  }

  private add(planned: PlannedSubTask, at: string): void {
    const s = copyWith<SubTask>(planned, { status: 'blocked', generation: 0, attempt: 0, failedAttempts: 0, executions: 0, updatedAt: at });
    const position = this.size;
    this.added.push(s);
    this.addedPositions.set(s.id, position);
    count(this.tally, s, 1);
    this.touched.add(position);
  }

  private patch(id: string, at: string, change: SubTaskPatch | ((s: SubTask) => SubTaskPatch)): boolean {
    const position = this.find(id);
    if (position === undefined) return false;
    const before = this.at(position);
    const after = copyWith<Mutable<SubTask>>(before, typeof change === 'function' ? change(before) : change);
    after.updatedAt = at;
    if (position < this.baseSubtasks.length) this.replaced.set(position, after);
    else this.added[position - this.baseSubtasks.length] = after;
    count(this.tally, before, -1);
    count(this.tally, after, 1);
    this.touched.add(position);
    if (satisfies(before) !== satisfies(after)) for (const dependent of this.dependentsOf(position)) this.touched.add(dependent);
    return true;
  }

  private dependentsOf(position: number): readonly number[] {
    const at = (p: number) => this.at(p);
    if (this.added.length === 0) return this.layout.dependentsOf(position, this.size, at);
    // SubTasks planned by these events are not in the shared layout (yet): only on this fold's own.
    if (this.addedDependents?.size !== this.size) this.addedDependents = { size: this.size, lists: dependentsIn(this.size, at, (id) => this.find(id)) };
    return this.addedDependents.lists[position] ?? [];
  }

  /** Status, progress and times after an event that changed the Task, as of `at`. */
  private derive(at: string): void {
    const task = this.task!;
    const status = statusOf(task, this.tally, this.size);
    const terminal = TERMINAL_TASK_STATUSES.has(status);
    const startedAt = task.startedAt ?? (this.tally.everStarted > 0 ? at : undefined);
    const finishedAt = terminal ? (TERMINAL_TASK_STATUSES.has(task.status) && task.finishedAt ? task.finishedAt : at) : undefined;
    task.status = status;
    task.progress = progressOf(this.tally, this.size, task.planning?.total);
    task.startedAt = startedAt;
    task.finishedAt = finishedAt;
    task.updatedAt = at;
    task.version += 1;
    this.changed = true;
  }
}

/**
 * `{ ...base, ...change }`, spelled so on purpose: Node 20's V8 takes a slow path for a spread
 * followed by literal properties (`{ ...s, updatedAt }`), measured here 2 to 5 times slower per
 * event than two spreads; Object.assign is slower still.
 */
function copyWith<T extends object>(base: object, change: object): T {
  return { ...base, ...change } as T;
}

function planningOf(total: number, deadline: string | undefined): Planning {
  return deadline === undefined ? { total, parts: 1 } : { total, parts: 1, deadline };
}

function cancelled(at: string): SubTaskPatch {
  return { status: 'cancelled', finishedAt: at, nextAttemptAt: undefined };
}

/** Two ascending lists of distinct positions as one. */
function merge(a: readonly number[], b: readonly number[]): readonly number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]! < b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}
