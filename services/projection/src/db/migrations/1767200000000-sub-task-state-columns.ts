// A SubTask's folded state is read back from its row's columns instead of a copy beside them. The
// `state` column (migration SubTaskStates) repeated nearly every column of its row: 5.8 of the 14.4 kB
// the projector sent per bench Task for sub_tasks. The three fields no column held get columns of
// their own; `state` goes. The projector rebuilds each SubTask from the columns (sql.ts
// subTaskStateOfRow, in LOAD_STATES); `down` writes `state` back with the same expression.

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { subTaskStateOfRow } from '../../projector/sql.js';

export class SubTaskStateColumns1767200000000 implements MigrationInterface {
  name = 'SubTaskStateColumns1767200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sub_tasks ADD COLUMN job_seq bigint, ADD COLUMN delivery_id text, ADD COLUMN reserved_by text`);
    await db.query(`UPDATE sub_tasks SET job_seq = (state->>'jobSeq')::bigint, delivery_id = state->>'deliveryId', reserved_by = state->>'reservedBy'`);
    await db.query(`ALTER TABLE sub_tasks DROP COLUMN state`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sub_tasks ADD COLUMN state jsonb`);
    await db.query(`UPDATE sub_tasks s SET state = ${subTaskStateOfRow('s')}`);
    await db.query(`ALTER TABLE sub_tasks ALTER COLUMN state SET NOT NULL`);
    await db.query(`ALTER TABLE sub_tasks DROP COLUMN job_seq, DROP COLUMN delivery_id, DROP COLUMN reserved_by`);
  }
}
