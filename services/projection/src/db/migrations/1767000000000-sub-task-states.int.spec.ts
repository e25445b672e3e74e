import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Topology } from '@vle/contracts';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { TaskProjector } from '../../projector/task.projector.js';
import { snapshot } from '../../testing/read-model-snapshot.js';
import { asIncoming, scenario } from '../../testing/task-scenarios.js';
import { openReadModelSchema } from '../data-source.js';
import { SubTaskStates1767000000000 } from './1767000000000-sub-task-states.js';
import { SubTaskStateColumns1767200000000 } from './1767200000000-sub-task-state-columns.js';

const topology = new Topology({ namespace: 'int' });
const taskIdOf = (subject: string) => topology.taskIdOf(subject);
const commits = asIncoming(scenario(40, 5), topology);
const half = Math.floor(commits.length / 2);

let database: TestDatabase;
const sources: DataSource[] = [];

async function projected(schema: string, parts: ReadonlyArray<readonly [number, number]>): Promise<DataSource> {
  const db = await openReadModelSchema({ databaseUrl: database.url, schema });
  sources.push(db);
  for (const [from, to] of parts) {
    // A fresh projector per part: no cache, every state read back from the tables.
    const projector = new TaskProjector(db, { name: 'tasks', taskIdOf });
    await projector.apply(commits.slice(from, to), await projector.checkpoint());
  }
  return db;
}

beforeAll(async () => {
  database = await createTestDatabase('vle_migration');
});

afterAll(async () => {
  for (const db of sources) await db.destroy();
  await database?.drop();
});

describe('migration SubTaskStateColumns', () => {
  it('gives the fields only sub_tasks.state held columns of their own (and back), and the projector resumes on them', async () => {
    const db = await projected('m_columns', [[0, half]]);
    const migrated = await snapshot(db);
    const runner = db.createQueryRunner();
    try {
      await new SubTaskStateColumns1767200000000().down(runner);
      // The former layout: each SubTask as folded beside its row, without a null field.
      const rows: Array<{ state: Record<string, unknown> }> = await db.query(`SELECT state FROM sub_tasks`);
      expect(rows.every((r) => Object.values(r.state).every((v) => v !== null))).toBe(true);
      expect(rows.some((r) => typeof r.state['jobSeq'] === 'number' && typeof r.state['deliveryId'] === 'string')).toBe(true);
      await new SubTaskStateColumns1767200000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await snapshot(db)).toEqual(migrated);
    await projected('m_columns', [[half, commits.length]]);
    const whole = await projected('m_columns_whole', [[0, commits.length]]);
    expect(await snapshot(db)).toEqual(await snapshot(whole, 'm_columns_whole'));
  });
});

describe('migration SubTaskStates', () => {
  it('moves each SubTask of the stored states to its row (and back), and the projector resumes on it', async () => {
    const db = await projected('m_moved', [[0, half]]);
    const migrated = await snapshot(db);
    const migration = new SubTaskStates1767000000000();
    // The later migration that reads the SubTasks from their columns goes first and comes back last.
    const later = new SubTaskStateColumns1767200000000();
    const runner = db.createQueryRunner();
    try {
      await later.down(runner);
      // down: the former layout, whole Tasks in task_states.
      await migration.down(runner);
      const states: Array<{ state: { subtasks: unknown[] } }> = await db.query(`SELECT state FROM task_states`);
      expect(states.every((s) => s.state.subtasks.length > 0)).toBe(true);
      await migration.up(runner);
      await later.up(runner);
    } finally {
      await runner.release();
    }
    expect(await snapshot(db)).toEqual(migrated);
    await projected('m_moved', [[half, commits.length]]);
    const whole = await projected('m_whole', [[0, commits.length]]);
    expect(await snapshot(db)).toEqual(await snapshot(whole, 'm_whole'));
  });
});
