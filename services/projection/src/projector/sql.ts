// Statements of the projector. One JSON parameter carries all rows of a table (jsonb_to_recordset),
// so a batch costs one round trip whatever its size (two when it must read states first).

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

/** Upserts the rows of JSON parameter `$param`, only if the checkpoint moved (APPLY_BATCH). */
function bulkUpsert(table: string, columns: Columns, key: readonly string[], param: number): string {
  const names = columns.map(([name]) => name);
  const definitions = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const updates = names.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  return (
    `INSERT INTO ${table} (${names.join(', ')}) ` +
    `SELECT ${names.join(', ')} FROM jsonb_to_recordset($${param}::jsonb) AS r(${definitions}) WHERE EXISTS (SELECT 1 FROM moved) ` +
    `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`
  );
}

/**
 * A whole batch in ONE statement, hence one transaction of one round trip (DESIGN §5): the checkpoint
 * compare-and-set (emmett) and every write, each write guarded by it, so a batch whose checkpoint
 * moved writes nothing. The CAS's row lock serializes replicas: a second one waits, then finds
 * another sequence. The foreign keys of sub_tasks are checked at the end of the statement, when the
 * rows of tasks are there.
 *
 * $1 new seq, $2 name, $3 expected seq; $4 the Tasks the batch presumed absent without reading them
 * (it creates them): if one of them has a stored state the CAS does not happen and `known` says so;
 * $5 task_states, $6 tasks, $7 sub_tasks, $8 skipped_commits rows (JSON arrays).
 */
export const APPLY_BATCH =
  `WITH moved AS (UPDATE projection_checkpoints SET seq = $1, updated_at = now() WHERE name = $2 AND seq = $3 ` +
  `AND NOT EXISTS (SELECT 1 FROM task_states WHERE task_id = ANY($4::uuid[])) RETURNING seq), ` +
  `wrote_states AS (${bulkUpsert('task_states', STATE_COLUMNS, ['task_id'], 5)}), ` +
  `wrote_tasks AS (${bulkUpsert('tasks', TASK_COLUMNS, ['id'], 6)}), ` +
  `wrote_sub_tasks AS (${bulkUpsert('sub_tasks', SUB_TASK_COLUMNS, ['task_id', 'id'], 7)}), ` +
  `wrote_skipped AS (INSERT INTO skipped_commits (seq, subject, reason) ` +
  `SELECT seq, subject, reason FROM jsonb_to_recordset($8::jsonb) AS r(seq bigint, subject text, reason text) WHERE EXISTS (SELECT 1 FROM moved) ` +
  `ON CONFLICT (seq) DO NOTHING) ` +
  `SELECT EXISTS (SELECT 1 FROM moved) AS moved, EXISTS (SELECT 1 FROM task_states WHERE task_id = ANY($4::uuid[])) AS known`;

/** The stored parts of the folded states (rows.ts: loadedState). */
export const LOAD_STATES =
  `SELECT s.task_id, s.state, s.last_seq, ` +
  `(SELECT coalesce(jsonb_agg(t.state ORDER BY t.position), '[]') FROM sub_tasks t WHERE t.task_id = s.task_id) AS subtasks ` +
  `FROM task_states s WHERE s.task_id = ANY($1::uuid[])`;

export const ENSURE_CHECKPOINT = `INSERT INTO projection_checkpoints (name, seq) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`;
export const READ_CHECKPOINT = `SELECT seq FROM projection_checkpoints WHERE name = $1`;
