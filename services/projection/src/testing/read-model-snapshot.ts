// Every row of a read-model schema, in a stable order, for "equal row for row" assertions. Columns
// that record when a row was written (not what it says) are left out.

import type { DataSource } from 'typeorm';

export interface ReadModelSnapshot {
  tasks: unknown[];
  sub_tasks: unknown[];
  task_states: unknown[];
  checkpoints: unknown[];
  skipped_commits: unknown[];
}

export async function snapshot(db: DataSource, schema?: string): Promise<ReadModelSnapshot> {
  const t = (table: string) => (schema ? `${schema}.${table}` : table);
  return {
    tasks: await db.query(`SELECT * FROM ${t('tasks')} ORDER BY id`),
    sub_tasks: await db.query(`SELECT * FROM ${t('sub_tasks')} ORDER BY task_id, position`),
    task_states: await db.query(`SELECT * FROM ${t('task_states')} ORDER BY task_id`),
    checkpoints: await db.query(`SELECT name, seq FROM ${t('projection_checkpoints')} ORDER BY name`),
    skipped_commits: await db.query(`SELECT seq, subject, reason FROM ${t('skipped_commits')} ORDER BY seq`),
  };
}
