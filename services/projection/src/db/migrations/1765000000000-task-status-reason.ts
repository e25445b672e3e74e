// Why a deadline ended a Task (START_DEADLINE_MISSED, TASK_TIMEOUT): shown beside its status. Null for
// every other Task, so existing rows need no backfill; a rebuild fills it from the log.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TaskStatusReason1765000000000 implements MigrationInterface {
  name = 'TaskStatusReason1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tasks ADD COLUMN status_reason text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tasks DROP COLUMN status_reason`);
  }
}
