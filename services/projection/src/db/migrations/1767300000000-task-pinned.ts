// Whether a Task is pinned (TaskPinned / TaskUnpinned): the retention never deletes a pinned Task.
// false for every existing row: no log written before this version holds a pin. The partial index
// serves the retention's choice (finished, not pinned, by finished_at) and its dry run.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TaskPinned1767300000000 implements MigrationInterface {
  name = 'TaskPinned1767300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tasks ADD COLUMN pinned boolean NOT NULL DEFAULT false`);
    await db.query(`CREATE INDEX tasks_retention_idx ON tasks (finished_at, id) WHERE finished_at IS NOT NULL AND NOT pinned`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX tasks_retention_idx`);
    await db.query(`ALTER TABLE tasks DROP COLUMN pinned`);
  }
}
