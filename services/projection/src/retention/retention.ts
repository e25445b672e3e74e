// The retention (README, "Retention"; DESIGN §8): deletes the finished Tasks the policy says are old
// enough, from the log and the read model, on the projection's leader.
//
// A run first waits until the projector has applied everything the log held when it began (a pin
// appended before the run is in the read model when the run chooses). Then, batch by batch, between
// two of the projector's batches (ProjectionRunner.exclusive): choose the oldest Tasks the policy
// deletes; leave out any whose subject holds a commit the projector has not applied yet (a pin on its
// way); purge each one's subject in TASK_EVENTS (purge by subject, the only purge of the log); then
// delete its rows in one transaction and drop it from the folded-state cache. The log goes first:
// a crash between the two leaves rows whose subject is gone, which the next run chooses again and
// finishes (purging an empty subject is a no-op), whereas rows deleted first would leave a log that
// a rebuild turns back into Tasks. Batches keep each transaction, and each pause of the projector, short.

import type { JetStreamManager } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { poolOf } from '../db/data-source.js';
import type { ProjectionRunner } from '../projector/projection.runner.js';
import type { TaskProjector } from '../projector/task.projector.js';
import { describePolicy, type RetentionPolicy } from './retention-policy.js';
import { DELETE_TASK_ROWS, nextBatch, previewCounts, previewSamples, retentionCondition } from './retention-sql.js';

export interface RetentionLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface RetentionOptions {
  readonly db: DataSource;
  /** The preview's reads: the query API's pool (its statement timeout), `db` when absent. */
  readonly readDb?: DataSource;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly subjectOf: (taskId: string) => string;
  readonly runner: ProjectionRunner;
  readonly projector: TaskProjector;
  /** undefined: retention switched off (RETENTION_DISABLED). */
  readonly policy: RetentionPolicy | undefined;
  readonly logger: RetentionLogger;
  /** Tasks per batch (default 500). */
  readonly batchSize?: number;
  /** Subjects purged at once (default 16). */
  readonly purgeConcurrency?: number;
}

export interface RetentionCount {
  readonly status: string;
  readonly type: string | null;
  readonly count: number;
}

export interface RetentionPreview {
  readonly at: string;
  readonly enabled: boolean;
  readonly policy: Array<{ match: string; days: number | null }>;
  readonly total: number;
  readonly counts: Array<RetentionCount & { oldestFinishedAt: string; newestFinishedAt: string }>;
  readonly oldestFinishedAt: string | null;
  readonly newestFinishedAt: string | null;
  readonly samples: Array<{ id: string; name: string; status: string; type: string | null; finishedAt: string }>;
}

export interface RetentionRunResult {
  readonly at: string;
  readonly enabled: boolean;
  /** Tasks deleted, from the log and the read model. */
  readonly deleted: number;
  readonly counts: RetentionCount[];
  readonly subTasks: number;
  readonly batches: number;
  /** Tasks left for the next run: their subject held a commit not yet projected. */
  readonly deferred: number;
  readonly durationMs: number;
}

const SAMPLES = 10;

export class Retention {
  /** Runs one after the other: two requests at once (two scheduler replicas) do not interleave. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RetentionOptions) {}

  get enabled(): boolean {
    return this.options.policy !== undefined;
  }

  /** What a run at `at` would delete now (any replica: it reads only). */
  async preview(at: Date): Promise<RetentionPreview> {
    const { policy } = this.options;
    const base = { at: at.toISOString(), enabled: policy !== undefined, policy: policy ? describePolicy(policy) : [] };
    if (!policy) return { ...base, total: 0, counts: [], oldestFinishedAt: null, newestFinishedAt: null, samples: [] };
    const condition = retentionCondition(policy, at);
    const db = this.options.readDb ?? this.options.db;
    const counted = previewCounts(condition);
    const sampled = previewSamples(condition, SAMPLES);
    const [counts, samples] = await Promise.all([
      db.query<Array<{ status: string; type: string | null; count: number; oldest: Date; newest: Date }>>(counted.sql, counted.values),
      db.query<Array<{ id: string; name: string; status: string; type: string | null; finished_at: Date }>>(sampled.sql, sampled.values),
    ]);
    const iso = (d: Date) => d.toISOString();
    const oldest = counts.reduce<Date | null>((min, c) => (min === null || c.oldest < min ? c.oldest : min), null);
    const newest = counts.reduce<Date | null>((max, c) => (max === null || c.newest > max ? c.newest : max), null);
    return {
      ...base,
      total: counts.reduce((sum, c) => sum + c.count, 0),
      counts: counts.map((c) => ({ status: c.status, type: c.type, count: c.count, oldestFinishedAt: iso(c.oldest), newestFinishedAt: iso(c.newest) })),
      oldestFinishedAt: oldest && iso(oldest),
      newestFinishedAt: newest && iso(newest),
      samples: samples.map((s) => ({ id: s.id, name: s.name, status: s.status, type: s.type, finishedAt: iso(s.finished_at) })),
    };
  }

  /** A run as of `at`, on the leader (throws NotLeading elsewhere). Idempotent: a second run finds nothing. */
  run(at: Date): Promise<RetentionRunResult> {
    const result = this.running.then(() => this.runOnce(at));
    this.running = result.catch(() => undefined);
    return result;
  }

  private async runOnce(at: Date): Promise<RetentionRunResult> {
    const started = Date.now();
    const { policy, runner, logger } = this.options;
    if (!policy) return { at: at.toISOString(), enabled: false, deleted: 0, counts: [], subTasks: 0, batches: 0, deferred: 0, durationMs: 0 };
    // Everything stored before the run is applied before it chooses: a pin stored earlier is seen.
    await runner.applied((await runner.lag()).streamSeq);
    const condition = retentionCondition(policy, at);
    const counts = new Map<string, RetentionCount>();
    const passed: string[] = [];
    let deleted = 0;
    let subTasks = 0;
    let batches = 0;
    for (;;) {
      const batch = await runner.exclusive(() => this.deleteBatch(condition, passed));
      if (batch === undefined) break;
      batches += 1;
      deleted += batch.tasks.length;
      subTasks += batch.subTasks;
      for (const task of batch.tasks) {
        const key = `${task.status}\u0000${task.type ?? ''}`;
        const count = counts.get(key) ?? { status: task.status, type: task.type, count: 0 };
        counts.set(key, { ...count, count: count.count + 1 });
      }
    }
    const result: RetentionRunResult = { at: at.toISOString(), enabled: true, deleted, counts: [...counts.values()], subTasks, batches, deferred: passed.length, durationMs: Date.now() - started };
    const summary = result.counts.map((c) => `${c.status}/${c.type ?? '-'}: ${c.count}`).join(', ') || 'nothing';
    logger.log(`retention as of ${result.at}: deleted ${deleted} Tasks (${subTasks} SubTasks) in ${batches} batches, ${result.durationMs} ms: ${summary}${passed.length ? `; ${passed.length} left for the next run (commits not yet projected)` : ''}`);
    return result;
  }

  /** One batch, inside the projector's turn; undefined when nothing (more) is to be deleted. */
  private async deleteBatch(condition: ReturnType<typeof retentionCondition>, passed: string[]) {
    const { db, jsm, stream, subjectOf, projector, runner } = this.options;
    const pool = poolOf(db);
    const query = nextBatch(condition, this.options.batchSize ?? 500);
    const { rows } = await pool.query<{ id: string; status: string; type: string | null; last_seq: string }>(query.sql, [...query.values, passed]);
    if (rows.length === 0) return undefined;
    // A commit stored after the run began, not applied yet (the projector waits for this turn): a
    // pin or a retry on its way. Such Tasks wait for the next run.
    const unseen = (await runner.lag()).streamSeq > runner.status().appliedSeq;
    const chosen: typeof rows = [];
    await inParallel(rows, this.options.purgeConcurrency ?? 16, async (row) => {
      if (unseen) {
        const last = await jsm.direct.getMessage(stream, { last_by_subj: subjectOf(row.id) });
        if (last && last.seq > Number(row.last_seq)) {
          passed.push(row.id);
          return;
        }
      }
      await jsm.streams.purge(stream, { filter: subjectOf(row.id) });
      chosen.push(row);
    });
    const ids = chosen.map((r) => r.id);
    const client = await pool.connect();
    let subTasks = 0;
    try {
      await client.query('BEGIN');
      subTasks = (await client.query(DELETE_TASK_ROWS.subTasks, [ids])).rowCount ?? 0;
      await client.query(DELETE_TASK_ROWS.states, [ids]);
      await client.query(DELETE_TASK_ROWS.skipped, [ids.map(subjectOf)]);
      await client.query(DELETE_TASK_ROWS.tasks, [ids]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    projector.forgetTasks(ids);
    return { tasks: chosen, subTasks };
  }
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
