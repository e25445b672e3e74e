// The first read model (DESIGN §8). Hand-written: the projector owns these tables, nothing
// synchronizes them. Names are unqualified: the data source's search_path picks the schema, which is
// what lets `projection:rebuild` build a whole second copy next to the live one.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialReadModel1763805600000 implements MigrationInterface {
  name = 'InitialReadModel1763805600000';

  async up(db: QueryRunner): Promise<void> {
    // Trusted extension (PG 13+): the database owner may create it. Kept in `public` so that dropping
    // an old read-model schema never drops it.
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);

    await db.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        type text,
        status text NOT NULL,
        progress double precision NOT NULL,
        created_by text NOT NULL,
        event_id text,
        object_type text,
        object_id text,
        origin_task_id text,
        start_at timestamptz,
        start_before timestamptz,
        timeout_seconds integer,
        started_at timestamptz,
        finished_at timestamptz,
        cancel_requested boolean NOT NULL,
        manual_intervention boolean NOT NULL,
        subtasks_total integer NOT NULL,
        subtasks_finished integer NOT NULL,
        subtasks_failed integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL,
        last_seq bigint NOT NULL
      )`);
    // Keyset pagination is (created_at DESC, id DESC); the common filters lead the composite indexes.
    await db.query(`CREATE INDEX tasks_created_at_idx ON tasks (created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX tasks_status_created_at_idx ON tasks (status, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX tasks_created_by_created_at_idx ON tasks (created_by, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX tasks_name_trgm_idx ON tasks USING gin (name public.gin_trgm_ops)`);
    await db.query(`CREATE INDEX tasks_object_idx ON tasks (object_type, object_id)`);
    await db.query(`CREATE INDEX tasks_event_id_idx ON tasks (event_id)`);
    await db.query(`CREATE INDEX tasks_origin_task_id_idx ON tasks (origin_task_id)`);
    await db.query(`CREATE INDEX tasks_updated_at_idx ON tasks (updated_at)`);

    // SubTask ids are unique inside their Task (the domain assigns no global format), hence the key.
    await db.query(`
      CREATE TABLE sub_tasks (
        task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        id text NOT NULL,
        position integer NOT NULL,
        key text NOT NULL,
        name text NOT NULL,
        action text NOT NULL,
        queue text NOT NULL,
        status text NOT NULL,
        generation integer NOT NULL,
        attempt integer NOT NULL,
        failed_attempts integer NOT NULL,
        job_id text,
        object_type text,
        object_id text,
        params jsonb NOT NULL,
        depends_on jsonb NOT NULL,
        best_effort boolean NOT NULL,
        timeout_seconds integer,
        response_code text,
        response_message text,
        next_attempt_at timestamptz,
        queued_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (task_id, id)
      )`);
    await db.query(`CREATE UNIQUE INDEX sub_tasks_task_position_idx ON sub_tasks (task_id, position)`);
    await db.query(`CREATE INDEX sub_tasks_status_idx ON sub_tasks (status)`);
    await db.query(`CREATE INDEX sub_tasks_queue_status_idx ON sub_tasks (queue, status)`);
    await db.query(`CREATE INDEX sub_tasks_job_id_idx ON sub_tasks (job_id)`);

    // The folded domain state per Task: the projector evolves it without replaying the Task's events.
    await db.query(`
      CREATE TABLE task_states (
        task_id uuid PRIMARY KEY,
        state jsonb NOT NULL,
        last_seq bigint NOT NULL
      )`);

    // Emmett-style checkpoint: moved by compare-and-set in the same transaction as the rows.
    await db.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    // Commits the projector could not apply, so that a skipped one is visible (and replayed alike).
    await db.query(`
      CREATE TABLE skipped_commits (
        seq bigint PRIMARY KEY,
        subject text NOT NULL,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE skipped_commits`);
    await db.query(`DROP TABLE projection_checkpoints`);
    await db.query(`DROP TABLE task_states`);
    await db.query(`DROP TABLE sub_tasks`);
    await db.query(`DROP TABLE tasks`);
  }
}
