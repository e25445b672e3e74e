// Applies one batch of commits to the read model in ONE transaction (DESIGN §5, §8): move the
// checkpoint by compare-and-set, take the folded states of the batch's Tasks from the cache or load
// the others (one query), evolve, upsert the changed rows in bulk, commit. Idempotent twice over:
// commits at or below the checkpoint are dropped before the transaction, and a commit at or below its
// Task's last_seq is not folded again.

import type { DataSource, QueryRunner } from 'typeorm';
import type { SubTask } from '@vle/domain';
import type { IncomingCommit, RejectedCommit } from './commit.js';
import { CheckpointMoved, isDataError } from './errors.js';
import { FoldedStateCache } from './folded-state-cache.js';
import { foldBatch, taskIdsOf, type StoredTaskState } from './fold-batch.js';
import { loadedState, type TaskOwnState } from './rows.js';
import {
  CREATE_CHECKPOINT_AT,
  ENSURE_CHECKPOINT,
  INSERT_SKIPPED,
  LOAD_STATES,
  MOVE_CHECKPOINT,
  READ_CHECKPOINT,
  UPSERT_STATES,
  UPSERT_SUB_TASKS,
  UPSERT_TASKS,
} from './sql.js';

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
}

/** What one transaction did, and the states it committed (for the cache). */
interface BatchWork {
  readonly applied: AppliedBatch;
  readonly changed: ReadonlyMap<string, StoredTaskState>;
}

const NOTHING: AppliedBatch = { checkpoint: 0, commits: 0, events: 0, skipped: [], taskRows: 0, subTaskRows: 0 };

function combine(a: AppliedBatch, b: AppliedBatch): AppliedBatch {
  return {
    checkpoint: b.checkpoint,
    commits: a.commits + b.commits,
    events: a.events + b.events,
    skipped: [...a.skipped, ...b.skipped],
    taskRows: a.taskRows + b.taskRows,
    subTaskRows: a.subTaskRows + b.subTaskRows,
  };
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

  /** Applies `commits` (stream order) on top of checkpoint `expected`; throws CheckpointMoved if it moved. */
  async apply(commits: readonly IncomingCommit[], expected: number): Promise<AppliedBatch> {
    const fresh = commits.filter((c) => c.seq > expected);
    if (fresh.length === 0) return { ...NOTHING, checkpoint: expected };
    const target = Math.max(...fresh.map((c) => c.seq));
    const cached = this.cache.lookup(taskIdsOf(fresh, this.options.taskIdOf), expected);
    return this.changing(expected, target, async (q) => {
      await this.moveCheckpoint(q, expected, target);
      const stored = new Map([...cached.hits, ...(await this.loadStates(q, cached.misses))]);
      const folded = foldBatch(stored, fresh, this.options.taskIdOf);
      // Parents first: sub_tasks reference tasks.
      if (folded.stateRows.length > 0) await q.query(UPSERT_STATES, [JSON.stringify(folded.stateRows)]);
      if (folded.taskRows.length > 0) await q.query(UPSERT_TASKS, [JSON.stringify(folded.taskRows)]);
      if (folded.subTaskRows.length > 0) await q.query(UPSERT_SUB_TASKS, [JSON.stringify(folded.subTaskRows)]);
      await this.recordSkipped(q, folded.skipped);
      const applied: AppliedBatch = {
        checkpoint: target,
        commits: folded.commits,
        events: folded.events,
        skipped: folded.skipped,
        taskRows: folded.taskRows.length,
        subTaskRows: folded.subTaskRows.length,
      };
      return { applied, changed: folded.states };
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
    return this.changing(expected, commit.seq, async (q) => {
      await this.moveCheckpoint(q, expected, commit.seq);
      await this.recordSkipped(q, [rejected]);
      return { applied: { ...NOTHING, checkpoint: commit.seq, skipped: [rejected] }, changed: new Map() };
    });
  }

  /**
   * One transaction moving the checkpoint from `from` to `to`; the cache follows only once it
   * committed. After any failure (the outcome of a lost COMMIT included) the cache is emptied.
   */
  private async changing(from: number, to: number, work: (q: QueryRunner) => Promise<BatchWork>): Promise<AppliedBatch> {
    let done: BatchWork;
    try {
      done = await this.inTransaction(work);
    } catch (error) {
      this.cache.forget();
      throw error;
    }
    this.cache.committed(from, to, done.changed);
    return done.applied;
  }

  private async moveCheckpoint(q: QueryRunner, expected: number, target: number): Promise<void> {
    const moved = await q.query(MOVE_CHECKPOINT, [target, this.name, expected], true);
    if (moved.records.length > 0) return;
    const created = expected === 0 ? await q.query(CREATE_CHECKPOINT_AT, [target, this.name], true) : undefined;
    if (!created || created.records.length === 0) throw new CheckpointMoved(this.name, expected);
  }

  private async loadStates(q: QueryRunner, taskIds: readonly string[]): Promise<Map<string, StoredTaskState>> {
    if (taskIds.length === 0) return new Map();
    const rows: Array<{ task_id: string; state: TaskOwnState; last_seq: string; subtasks: SubTask[] }> = await q.query(LOAD_STATES, [taskIds]);
    return new Map(rows.map((r) => [r.task_id, { state: loadedState(r.state, r.subtasks), lastSeq: Number(r.last_seq) }]));
  }

  private async recordSkipped(q: QueryRunner, skipped: readonly RejectedCommit[]): Promise<void> {
    if (skipped.length === 0) return;
    const rows = skipped.map((s) => ({ seq: s.seq, subject: s.subject, reason: s.reason }));
    await q.query(INSERT_SKIPPED, [JSON.stringify(rows)]);
  }

  private async inTransaction<T>(work: (q: QueryRunner) => Promise<T>): Promise<T> {
    const q = this.db.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      try {
        const result = await work(q);
        await q.commitTransaction();
        return result;
      } catch (error) {
        await q.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await q.release();
    }
  }
}
