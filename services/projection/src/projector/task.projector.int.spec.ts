import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Topology } from '@vle/contracts';
import { evolve, initialState, type SubTask, type Task, type TaskEvent } from '@vle/domain';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../db/data-source.js';
import { snapshot } from '../testing/read-model-snapshot.js';
import { asIncoming, scenario } from '../testing/task-scenarios.js';
import type { IncomingCommit } from './commit.js';
import { isCheckpointMoved } from './errors.js';
import { loadedState } from './rows.js';
import { subTaskStateOfRow } from './sql.js';
import { TaskProjector } from './task.projector.js';

const topology = new Topology({ namespace: 'int' });
const taskIdOf = (subject: string) => topology.taskIdOf(subject);
const commits = asIncoming(scenario(60, 11), topology);

let database: TestDatabase;
const sources: DataSource[] = [];

async function readModel(schema: string): Promise<DataSource> {
  const db = await openReadModelSchema({ databaseUrl: database.url, schema });
  sources.push(db);
  return db;
}

async function applyInBatches(projector: TaskProjector, all: readonly IncomingCommit[], size: number): Promise<number> {
  let checkpoint = await projector.checkpoint();
  for (let i = 0; i < all.length; i += size) checkpoint = (await projector.applyIsolating(all.slice(i, i + size), checkpoint)).checkpoint;
  return checkpoint;
}

beforeAll(async () => {
  database = await createTestDatabase('vle_projector');
});

afterAll(async () => {
  for (const db of sources) await db.destroy();
  await database?.drop();
});

describe('read-model schema', () => {
  it('the migrations create exactly what the entities describe', async () => {
    const db = await readModel('schema_check');
    const diff = await db.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });
});

describe('TaskProjector', () => {
  let db: DataSource;
  let projector: TaskProjector;

  beforeEach(async (context) => {
    const schema = `p_${context.task.id.replace(/[^a-z0-9]/gi, '').toLowerCase()}`.slice(0, 40);
    db = await readModel(schema);
    projector = new TaskProjector(db, { name: 'tasks', taskIdOf });
  });

  it('builds the same rows whatever the batch size', async () => {
    const started = performance.now();
    expect(await applyInBatches(projector, commits, 1)).toBe(commits.length);
    const oneByOne = performance.now() - started;
    const other = new TaskProjector(await readModel('p_whole'), { name: 'tasks', taskIdOf });
    const t0 = performance.now();
    await applyInBatches(other, commits, 500);
    const whole = performance.now() - t0;
    const events = commits.reduce((n, c) => n + (c.events as unknown[]).length, 0);
    console.info(`${commits.length} commits / ${events} events: 1 per batch ${Math.round(events / (oneByOne / 1000))} events/s, 500 per batch ${Math.round(events / (whole / 1000))} events/s`);
    expect(await snapshot(db)).toEqual(await snapshot(db, 'p_whole'));
    // Every state loaded from the read model, none kept in memory: the same rows again.
    await applyInBatches(new TaskProjector(await readModel('p_uncached'), { name: 'tasks', taskIdOf, stateCacheWeight: 0 }), commits, 7);
    expect(await snapshot(db)).toEqual(await snapshot(db, 'p_uncached'));
  });

  it('stores the folded Task: status, progress, counts, SubTasks in creation order, every field of every SubTask read back from its row', async () => {
    await applyInBatches(projector, commits, 50);
    const tasks = await db.query(`SELECT * FROM tasks ORDER BY created_at`);
    const fields = new Set<string>();
    for (const task of tasks) {
      const [{ state: own }] = await db.query(`SELECT state FROM task_states WHERE task_id = $1`, [task.id]);
      const subStates: Array<{ state: SubTask }> = await db.query(`SELECT ${subTaskStateOfRow('s')} AS state FROM sub_tasks s WHERE task_id = $1 ORDER BY position`, [task.id]);
      // The two stored parts are the Task as evolve folds it from its commits, nothing more or less.
      const folded = commits.filter((c) => taskIdOf(c.subject) === task.id).flatMap((c) => c.events as TaskEvent[]).reduce(evolve, initialState) as Task;
      const state = loadedState(own, subStates.map((r) => r.state));
      expect(state).toEqual(JSON.parse(JSON.stringify(folded)));
      // toEqual overlooks a field that is undefined on one side: the same fields on both.
      state.subtasks.forEach((s, i) => expect(Object.keys(s).sort()).toEqual(Object.keys(JSON.parse(JSON.stringify(folded.subtasks[i]))).sort()));
      for (const s of state.subtasks) for (const key of Object.keys(s)) fields.add(key);
      expect(task).toMatchObject({ status: state.status, progress: state.progress, version: state.version, subtasks_total: state.subtasks.length });
      const subtasks = await db.query(`SELECT id, status, attempt, generation, job_id FROM sub_tasks WHERE task_id = $1 ORDER BY position`, [task.id]);
      expect(subtasks).toEqual(state.subtasks.map((s) => ({ id: s.id, status: s.status, attempt: s.attempt, generation: s.generation, job_id: s.jobId ?? null })));
    }
    // The scenario reaches the fields only some SubTasks have, so that a column lost on the way fails here.
    for (const field of ['jobSeq', 'deliveryId', 'reservedBy', 'objectType', 'objectId', 'responseCode', 'responseMessage', 'startedAt', 'finishedAt', 'queuedAt']) expect(fields).toContain(field);
  });

  it('changes nothing when the same batch is delivered twice', async () => {
    const batch = commits.slice(0, 200);
    const checkpoint = (await projector.apply(batch, 0)).checkpoint;
    const before = await snapshot(db);
    // Redelivered to a projector that is already past it: dropped before any write.
    expect(await projector.apply(batch, checkpoint)).toMatchObject({ checkpoint, commits: 0 });
    // Redelivered on top of a checkpoint that went back: each Task's last_seq still refuses it.
    await db.query(`UPDATE projection_checkpoints SET seq = 0`);
    expect(await projector.apply(batch, 0)).toMatchObject({ checkpoint, commits: 0 });
    expect(await snapshot(db)).toEqual(before);
  });

  it('lets one of two replicas apply a batch; the other finds the checkpoint moved', async () => {
    const other = new TaskProjector(db, { name: 'tasks', taskIdOf });
    const results = await Promise.allSettled([projector.apply(commits.slice(0, 100), 0), other.apply(commits.slice(0, 150), 0)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isCheckpointMoved(lost.reason)).toBe(true);
    const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ checkpoint: number }>).value.checkpoint;
    expect(await projector.checkpoint()).toBe(winner);
    await expect(projector.apply(commits.slice(0, 10), 0)).rejects.toMatchObject({ code: 'CHECKPOINT_MOVED' });
  });

  it('folds on what another replica wrote once it moved the checkpoint, never on its own cached states', async () => {
    const other = new TaskProjector(db, { name: 'tasks', taskIdOf });
    // Cut the log so that one Task has commits in each part: the other replica changes it in between.
    const counts = new Map<string, number[]>();
    commits.forEach((c, i) => counts.set(c.subject, [...(counts.get(c.subject) ?? []), i]));
    const [, at] = [...counts].find(([, indexes]) => indexes.length >= 5)!;
    const [first, second, third] = [commits.slice(0, at[1]), commits.slice(at[1], at[3]), commits.slice(at[3])];
    const afterFirst = (await projector.apply(first, 0)).checkpoint;
    // The other replica changes Tasks this one holds in its cache.
    const afterSecond = (await other.apply(second, afterFirst)).checkpoint;
    // As after a resubscription (a NATS error, say) that read the moved checkpoint: no failed CAS here.
    expect((await projector.apply(third, afterSecond)).checkpoint).toBe(commits.length);
    const alone = new TaskProjector(await readModel('p_alone'), { name: 'tasks', taskIdOf });
    await applyInBatches(alone, commits, 200);
    expect(await snapshot(db)).toEqual(await snapshot(db, 'p_alone'));
  });

  it('reads a Task it presumed new when it exists after all (TaskCreated again on its subject)', async () => {
    const created = commits.find((c) => (c.events as Array<{ type: string }>)[0]!.type === 'TaskCreated')!;
    const again: IncomingCommit = {
      seq: commits.length + 1,
      subject: created.subject,
      events: (created.events as Array<{ data: object }>).map((e) => ({ ...e, data: { ...e.data, name: 'created twice' } })),
    };
    const checkpoint = await applyInBatches(projector, commits, 100);
    // A fresh replica: nothing cached, so the commit alone looks like a new Task.
    const fresh = new TaskProjector(db, { name: 'tasks', taskIdOf });
    expect(await fresh.apply([again], checkpoint)).toMatchObject({ checkpoint: again.seq, commits: 1 });
    const alone = new TaskProjector(await readModel('p_twice'), { name: 'tasks', taskIdOf });
    await applyInBatches(alone, [...commits, again], 1000);
    expect(await snapshot(db)).toEqual(await snapshot(db, 'p_twice'));
    const [{ name }] = await db.query(`SELECT name FROM tasks WHERE id = $1`, [taskIdOf(created.subject)]);
    expect(name).not.toBe('created twice');
  });

  it('skips and records malformed commits and rows PostgreSQL refuses, applying the rest', async () => {
    const good = commits.slice(0, 20);
    const created = (good[0]!.events as Array<Record<string, unknown>>)[0]!;
    const otherTask = '0190a7e2-0000-7000-8000-0000000000aa';
    const nul = {
      seq: 21,
      subject: topology.eventSubject(otherTask),
      // Valid JSON, but PostgreSQL text cannot hold U+0000: the whole batch fails, then this commit alone.
      events: [{ ...created, taskId: otherTask, data: { ...(created.data as object), name: 'bad\u0000name' } }],
    };
    const notJson: IncomingCommit = { seq: 22, subject: topology.eventSubject(otherTask), events: undefined, malformed: 'not UTF-8 JSON' };
    const later = commits.slice(20, 40).map((c, i) => ({ ...c, seq: 23 + i }));
    const applied = await projector.applyIsolating([...good, nul, notJson, ...later], 0);
    expect(applied.checkpoint).toBe(42);
    expect(applied.skipped.map((s) => s.seq)).toEqual([21, 22]);
    expect(await db.query(`SELECT seq, reason FROM skipped_commits ORDER BY seq`)).toEqual([
      { seq: '21', reason: expect.stringContaining('rows refused by PostgreSQL') },
      { seq: '22', reason: 'not UTF-8 JSON' },
    ]);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM tasks WHERE id = $1`, [otherTask]);
    expect(count).toBe(0);
    expect(applied.commits).toBe(40);
  });
});
