// The folded state of a Task in two parts: its own fields stay in task_states, each SubTask moves to
// its row (sub_tasks.state). A batch then writes only the SubTasks that changed instead of the whole
// Task again (the bench's Task of 5 SubTasks: ~3 kB of jsonb per batch it is in, now ~0.4 kB plus
// ~0.5 kB per changed SubTask).

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SubTaskStates1767000000000 implements MigrationInterface {
  name = 'SubTaskStates1767000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sub_tasks ADD COLUMN state jsonb`);
    // Position is the SubTask's index in the folded state; the id check refuses a row that drifted.
    await db.query(`
      UPDATE sub_tasks s SET state = t.state->'subtasks'->s.position
      FROM task_states t
      WHERE t.task_id = s.task_id AND t.state->'subtasks'->s.position->>'id' = s.id`);
    // A row left without its state cannot be resumed from: fail here (run projection:rebuild) rather
    // than fold on a guess.
    await db.query(`ALTER TABLE sub_tasks ALTER COLUMN state SET NOT NULL`);
    await db.query(`UPDATE task_states SET state = state - 'subtasks'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      UPDATE task_states t SET state = t.state || jsonb_build_object('subtasks',
        coalesce((SELECT jsonb_agg(s.state ORDER BY s.position) FROM sub_tasks s WHERE s.task_id = t.task_id), '[]'::jsonb))`);
    await db.query(`ALTER TABLE sub_tasks DROP COLUMN state`);
  }
}
