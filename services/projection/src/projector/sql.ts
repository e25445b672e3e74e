// Bulk statements of the projector. One JSON parameter carries all rows of a statement
// (jsonb_to_recordset), so a batch costs a handful of round trips whatever its size.

type Columns = ReadonlyArray<readonly [name: string, type: string]>;

export const TASK_COLUMNS: Columns = [
  ['id', 'uuid'],
  ['name', 'text'],
  ['type', 'text'],
  ['status', 'text'],
  ['status_reason', 'text'],
  ['progress', 'double precision'],
  ['created_by', 'text'],
  ['event_id', 'text'],
  ['object_type', 'text'],
  ['object_id', 'text'],
  ['origin_task_id', 'text'],
  ['start_at', 'timestamptz'],
  ['start_before', 'timestamptz'],
  ['timeout_seconds', 'integer'],
  ['started_at', 'timestamptz'],
  ['finished_at', 'timestamptz'],
  ['cancel_requested', 'boolean'],
  ['manual_intervention', 'boolean'],
  ['subtasks_total', 'integer'],
  ['subtasks_finished', 'integer'],
  ['subtasks_failed', 'integer'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['version', 'integer'],
  ['last_seq', 'bigint'],
];

export const SUB_TASK_COLUMNS: Columns = [
  ['task_id', 'uuid'],
  ['id', 'text'],
  ['position', 'integer'],
  ['key', 'text'],
  ['name', 'text'],
  ['action', 'text'],
  ['queue', 'text'],
  ['status', 'text'],
  ['generation', 'integer'],
  ['attempt', 'integer'],
  ['failed_attempts', 'integer'],
  ['executions', 'integer'],
  ['job_id', 'text'],
  ['object_type', 'text'],
  ['object_id', 'text'],
  ['params', 'jsonb'],
  ['depends_on', 'jsonb'],
  ['best_effort', 'boolean'],
  ['timeout_seconds', 'integer'],
  ['response_code', 'text'],
  ['response_message', 'text'],
  ['next_attempt_at', 'timestamptz'],
  ['queued_at', 'timestamptz'],
  ['started_at', 'timestamptz'],
  ['finished_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['state', 'jsonb'],
];

const STATE_COLUMNS: Columns = [
  ['task_id', 'uuid'],
  ['state', 'jsonb'],
  ['last_seq', 'bigint'],
];

function bulkUpsert(table: string, columns: Columns, key: readonly string[]): string {
  const names = columns.map(([name]) => name);
  const definitions = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const updates = names.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  return (
    `INSERT INTO ${table} (${names.join(', ')}) ` +
    `SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${definitions}) ` +
    `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`
  );
}

export const UPSERT_TASKS = bulkUpsert('tasks', TASK_COLUMNS, ['id']);
export const UPSERT_SUB_TASKS = bulkUpsert('sub_tasks', SUB_TASK_COLUMNS, ['task_id', 'id']);
export const UPSERT_STATES = bulkUpsert('task_states', STATE_COLUMNS, ['task_id']);

/** The stored parts of the folded states (rows.ts: loadedState). */
export const LOAD_STATES =
  `SELECT s.task_id, s.state, s.last_seq, ` +
  `(SELECT coalesce(jsonb_agg(t.state ORDER BY t.position), '[]') FROM sub_tasks t WHERE t.task_id = s.task_id) AS subtasks ` +
  `FROM task_states s WHERE s.task_id = ANY($1::uuid[])`;

export const INSERT_SKIPPED =
  `INSERT INTO skipped_commits (seq, subject, reason) ` +
  `SELECT seq, subject, reason FROM jsonb_to_recordset($1::jsonb) AS r(seq bigint, subject text, reason text) ` +
  `ON CONFLICT (seq) DO NOTHING`;

export const ENSURE_CHECKPOINT = `INSERT INTO projection_checkpoints (name, seq) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`;
export const READ_CHECKPOINT = `SELECT seq FROM projection_checkpoints WHERE name = $1`;

/**
 * Compare-and-set (emmett): moves only from the sequence this replica started the batch from. It is
 * the first statement of the batch's transaction, so its row lock also serializes replicas: a second
 * one waits, then finds another sequence, updates nothing and rolls back.
 */
export const MOVE_CHECKPOINT = `UPDATE projection_checkpoints SET seq = $1, updated_at = now() WHERE name = $2 AND seq = $3 RETURNING seq`;

/** A checkpoint that does not exist yet is at 0 (a fresh schema). */
export const CREATE_CHECKPOINT_AT = `INSERT INTO projection_checkpoints (name, seq) VALUES ($2, $1) ON CONFLICT (name) DO NOTHING RETURNING seq`;
