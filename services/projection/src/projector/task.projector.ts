// Applies one batch of commits to the read model in ONE transaction (DESIGN §5, §8): take the folded
// states of the batch's Tasks from the cache or read the others (one query), evolve, then move the
// checkpoint by compare-and-set and upsert the changed rows in bulk in one statement (APPLY_BATCH).
// Reading before the CAS is safe: a state read at checkpoint `expected` is still the stored one if
// the CAS from `expected` succeeds (any other batch committed meanwhile moved the checkpoint away,
// for good). Idempotent twice over: commits at or below the checkpoint are dropped before the
// write, and a commit at or below its Task's last_seq is not folded again.

import type { DataSource } from 'typeorm';
import type { SubTask, Task } from '@vle/domain';
import type { IncomingCommit, RejectedCommit } from './commit.js';
import { CheckpointMoved, isDataError } from './errors.js';
import type { SubTaskChange } from './job-repair.js';
import { FoldedStateCache } from './folded-state-cache.js';
import { createdIn, foldBatch, taskIdsOf, type StoredTaskState } from './fold-batch.js';
import { loadedState, type StateRow, type SubTaskRow, type TaskOwnState, type TaskRow } from './rows.js';
import { poolOf } from '../db/data-source.js';
import { APPLY_BATCH, encodeRows, ENSURE_CHECKPOINT, LOAD_STATES, QUEUED_SUB_TASKS, READ_CHECKPOINT, SKIPPED_COLUMNS, STATE_COLUMNS, SUB_TASK_COLUMNS, TASK_COLUMNS } from './sql.js';

export interface TaskProjectorOptions {
  /** The checkpoint's name: one per projection. */
  readonly name: string;
  /** The Task id of an event subject (Topology.taskIdOf). */
  readonly taskIdOf: (subject: string) => string;
  /**
   * The summed weight (about one unit per SubTask) of the folded states kept in memory between
   * batches; 0 loads every state from the read model. Default 50 000.
   */
  readonly stateCacheWeight?: number;
}

export interface AppliedBatch {
  /** The checkpoint after the batch. */
  readonly checkpoint: number;
  /** Commits folded for the first time. */
  readonly commits: number;
  readonly events: number;
  readonly skipped: readonly RejectedCommit[];
  readonly taskRows: number;
  readonly subTaskRows: number;
  /** The SubTasks whose rows the batch wrote, as it left them (what the job repair follows). */
  readonly changedSubTasks: readonly SubTaskChange[];
  /** The Tasks whose rows the batch wrote, each with its state before (what the live stream follows). */
  readonly changedTasks: readonly TaskChange[];
}

/** A Task a batch changed: its id, its last sequence after the batch, its state before (none: new). */
export interface TaskChange {
  readonly taskId: string;
  readonly lastSeq: number;
  readonly before?: Task;
}

/** What one transaction did, and the states it committed (for the cache). */
interface BatchWork {
  readonly applied: AppliedBatch;
  readonly changed: ReadonlyMap<string, StoredTaskState>;
}

/** The rows of one batch's statement (APPLY_BATCH). */
interface BatchRows {
  readonly stateRows: readonly StateRow[];
  readonly taskRows: readonly TaskRow[];
  readonly subTaskRows: readonly SubTaskRow[];
  readonly skipped: readonly RejectedCommit[];
}

const NO_ROWS: BatchRows = { stateRows: [], taskRows: [], subTaskRows: [], skipped: [] };

const NOTHING: AppliedBatch = { checkpoint: 0, commits: 0, events: 0, skipped: [], taskRows: 0, subTaskRows: 0, changedSubTasks: [], changedTasks: [] };

function combine(a: AppliedBatch, b: AppliedBatch): AppliedBatch {
  return {
    checkpoint: b.checkpoint,
    commits: a.commits + b.commits,
    events: a.events + b.events,
    skipped: [...a.skipped, ...b.skipped],
    taskRows: a.taskRows + b.taskRows,
    subTaskRows: a.subTaskRows + b.subTaskRows,
    changedSubTasks: [...a.changedSubTasks, ...b.changedSubTasks],
    changedTasks: [...a.changedTasks, ...b.changedTasks],
  };
}

function changeOf(row: SubTaskRow): SubTaskChange {
  return { taskId: row.task_id, subTaskId: row.id, status: row.status, generation: row.generation, queue: row.queue, action: row.action };
}

export class TaskProjector {
  private readonly cache: FoldedStateCache;

  constructor(
    private readonly db: DataSource,
    readonly options: TaskProjectorOptions,
  ) {
    this.cache = new FoldedStateCache(options.stateCacheWeight ?? 50_000);
  }

  get name(): string {
    return this.options.name;
  }

  /** The last applied stream sequence (0 before the first batch). */
  async checkpoint(): Promise<number> {
    await this.db.query(ENSURE_CHECKPOINT, [this.name]);
    const rows: Array<{ seq: string }> = await this.db.query(READ_CHECKPOINT, [this.name]);
    return Number(rows[0]!.seq);
  }

  /** The stored checkpoint without creating it (0 when absent): what every replica agrees on. */
  async storedCheckpoint(): Promise<number> {
    const rows: Array<{ seq: string }> = await this.db.query(READ_CHECKPOINT, [this.name]);
    return rows.length === 0 ? 0 : Number(rows[0]!.seq);
  }

  /**
   * The Tasks whose rows the retention deleted (between two batches, projection.runner.ts exclusive):
   * their cached states must not be served again.
   */
  forgetTasks(taskIds: readonly string[]): void {
    this.cache.drop(taskIds);
  }

  /** The SubTasks queued as the read model stands (job-repair.ts). */
  async queuedSubTasks(): Promise<SubTaskChange[]> {
    const { rows } = await poolOf(this.db).query<{ task_id: string; id: string; generation: number; queue: string; action: string }>(QUEUED_SUB_TASKS);
    return rows.map((r) => ({ taskId: r.task_id, subTaskId: r.id, status: 'queued', generation: r.generation, queue: r.queue, action: r.action }));
  }

  /** Applies `commits` (stream order) on top of checkpoint `expected`; throws CheckpointMoved if it moved. */
  async apply(commits: readonly IncomingCommit[], expected: number): Promise<AppliedBatch> {
    const fresh = commits.filter((c) => c.seq > expected);
    if (fresh.length === 0) return { ...NOTHING, checkpoint: expected };
    const target = Math.max(...fresh.map((c) => c.seq));
    return this.changing(expected, target, async () => {
      const { hits, misses } = this.cache.lookup(taskIdsOf(fresh, this.options.taskIdOf), expected);
      // The Tasks a batch creates are not read first when nothing else must be read (a round trip
      // saved); the write refuses if one of them does have a state, and then they are read.
      const created = createdIn(fresh, this.options.taskIdOf);
      let presumeAbsent = misses.length > 0 && misses.every((id) => created.has(id));
      for (;;) {
        const stored = presumeAbsent ? hits : new Map([...hits, ...(await this.loadStates(misses))]);
        const folded = foldBatch(stored, fresh, this.options.taskIdOf);
        const outcome = await this.write(expected, target, folded, presumeAbsent ? misses : []);
        if (outcome === 'written') {
          const applied: AppliedBatch = {
            checkpoint: target,
            commits: folded.commits,
            events: folded.events,
            skipped: folded.skipped,
            taskRows: folded.taskRows.length,
            subTaskRows: folded.subTaskRows.length,
            changedSubTasks: folded.subTaskRows.map(changeOf),
            changedTasks: [...folded.states].map(([taskId, { lastSeq }]) => ({ taskId, lastSeq, before: stored.get(taskId)?.state })),
          };
          return { applied, changed: folded.states };
        }
        presumeAbsent = false;
      }
    });
  }

  /**
   * Like apply, but if PostgreSQL refuses the rows of some commit (a data error, not a transient one),
   * applies the commits one by one and skips (records) each one refused alone: one bad commit never
   * stalls the projection.
   */
  async applyIsolating(commits: readonly IncomingCommit[], expected: number): Promise<AppliedBatch> {
    try {
      return await this.apply(commits, expected);
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (commits.length === 1) return this.skip(commits[0]!, `rows refused by PostgreSQL: ${(error as Error).message}`, expected);
      let total: AppliedBatch = { ...NOTHING, checkpoint: expected };
      for (const commit of commits) total = combine(total, await this.applyIsolating([commit], total.checkpoint));
      return total;
    }
  }

  /** Moves the checkpoint past one commit whose rows PostgreSQL refused, recording why. */
  async skip(commit: IncomingCommit, reason: string, expected: number): Promise<AppliedBatch> {
    const rejected: RejectedCommit = { ok: false, seq: commit.seq, subject: commit.subject, reason };
    return this.changing(expected, commit.seq, async () => {
      await this.write(expected, commit.seq, { ...NO_ROWS, skipped: [rejected] }, []);
      return { applied: { ...NOTHING, checkpoint: commit.seq, skipped: [rejected] }, changed: new Map() };
    });
  }

  /**
   * One batch moving the checkpoint from `from` to `to`; the cache follows only once it committed.
   * After any failure (a statement whose outcome is unknown included) the cache is emptied.
   */
  private async changing(from: number, to: number, work: () => Promise<BatchWork>): Promise<AppliedBatch> {
    let done: BatchWork;
    try {
      done = await work();
    } catch (error) {
      this.cache.forget();
      throw error;
    }
    this.cache.committed(from, to, done.changed);
    return done.applied;
  }

  /**
   * The CAS and the rows in one statement: 'written', or 'known' when a Task presumed absent has a
   * stored state (nothing written); throws CheckpointMoved when the checkpoint is not at `expected`.
   */
  private async write(expected: number, target: number, rows: BatchRows, presumedAbsent: readonly string[]): Promise<'written' | 'known'> {
    // A fresh schema: the checkpoint row the CAS moves from 0.
    if (expected === 0) await this.db.query(ENSURE_CHECKPOINT, [this.name]);
    const { rows: result } = await poolOf(this.db).query<{ moved: boolean; known: boolean }>({
      ...APPLY_BATCH,
      values: [
        target,
        this.name,
        expected,
        presumedAbsent,
        encodeRows(STATE_COLUMNS, rows.stateRows),
        encodeRows(TASK_COLUMNS, rows.taskRows),
        encodeRows(SUB_TASK_COLUMNS, rows.subTaskRows),
        encodeRows(SKIPPED_COLUMNS, rows.skipped),
      ],
    });
    if (result[0]!.moved) return 'written';
    if (result[0]!.known) return 'known';
    throw new CheckpointMoved(this.name, expected);
  }

  private async loadStates(taskIds: readonly string[]): Promise<Map<string, StoredTaskState>> {
    if (taskIds.length === 0) return new Map();
    const { rows } = await poolOf(this.db).query<{ task_id: string; state: TaskOwnState; last_seq: string; subtasks: SubTask[] }>({ ...LOAD_STATES, values: [taskIds] });
    return new Map(rows.map((r) => [r.task_id, { state: loadedState(r.state, r.subtasks), lastSeq: Number(r.last_seq) }]));
  }
}
