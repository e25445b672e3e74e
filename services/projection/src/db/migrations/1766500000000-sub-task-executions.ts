// A SubTask's executions: attempts started over all generations, a person's retry included (the
// seed's Attempt, "automatically incremented with each retry"). Rows projected before it existed get
// what their columns tell (every failed attempt, plus the one running or succeeded);
// `npm run projection:rebuild` recomputes it exactly from the log.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SubTaskExecutions1766500000000 implements MigrationInterface {
  name = 'SubTaskExecutions1766500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sub_tasks ADD COLUMN executions integer NOT NULL DEFAULT 0`);
    await db.query(`UPDATE sub_tasks SET executions = failed_attempts + CASE WHEN status IN ('running', 'success') THEN 1 ELSE 0 END`);
    await db.query(`ALTER TABLE sub_tasks ALTER COLUMN executions DROP DEFAULT`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sub_tasks DROP COLUMN executions`);
  }
}
