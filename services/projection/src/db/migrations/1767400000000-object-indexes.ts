// The list's object filter (objectId, or `object` in the search language): the Tasks about an object
// themselves or through any of their SubTasks (a VMID finds its clone). Measured over 1,000,000 Tasks
// and 5,000,000 SubTasks (bench/README.md, "Issue 11 §3"), it read every SubTask row and ran into the
// statement timeout. Partial indexes: rows without an object (most SubTasks of the pipeline's bench)
// add no entry, and an object is set when a row is written, so the projector's updates stay HOT.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ObjectIndexes1767400000000 implements MigrationInterface {
  name = 'ObjectIndexes1767400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX tasks_object_id_idx ON tasks (object_id) WHERE object_id IS NOT NULL`);
    await db.query(`CREATE INDEX sub_tasks_object_id_idx ON sub_tasks (object_id) WHERE object_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX sub_tasks_object_id_idx`);
    await db.query(`DROP INDEX tasks_object_id_idx`);
  }
}
