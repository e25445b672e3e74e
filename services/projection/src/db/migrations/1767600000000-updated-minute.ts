// The list's `updatedSince` (and a lower bound on `updated_at` in the search language): what changed
// since a time, the question of a client that polls. Without an index the page walks created_at until
// it is full, and a window in which fewer Tasks changed than a page holds (a poll every few seconds)
// reads every row: over 1,000,000 Tasks a poll of the last 10 seconds took 450–600 ms.
//
// An index on updated_at itself would cost every update of a Task row its HOT-ness (migration
// HotRowUpdates): updated_at changes on each one, and an update that changes an indexed column adds an
// entry to every index of `tasks`. Measured with `compare`, PostgreSQL's CPU per Task rose by about a
// third. So the index is on the minute of updated_at, a generated column: most updates of a Task fall
// in the minute of the one before and stay HOT; filter-sql.ts gives every lower bound on updated_at
// on this column too, and the exact bound then selects among the rows of those minutes.

import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The minute of a timestamptz; date_bin over timestamptz is immutable (no time zone in it), as a generated column requires. */
export const minuteOf = (sql: string) => `date_bin('1 minute', ${sql}, timestamptz '2000-01-01 00:00:00+00')`;

/** The generated column's expression. */
export const UPDATED_MINUTE = minuteOf('updated_at');

export class UpdatedMinute1767600000000 implements MigrationInterface {
  name = 'UpdatedMinute1767600000000';

  async up(db: QueryRunner): Promise<void> {
    // Through TypeORM, which records the expression in its typeorm_metadata table, where its schema diff reads it.
    await db.addColumn('tasks', new TableColumn({ name: 'updated_minute', type: 'timestamptz', isNullable: true, generatedType: 'STORED', asExpression: UPDATED_MINUTE }));
    await db.query(`CREATE INDEX tasks_updated_minute_idx ON tasks (updated_minute)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.dropColumn('tasks', 'updated_minute');
  }
}
