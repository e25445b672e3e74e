// Statements of the projector. One JSON parameter carries all rows of a table, so a batch costs one
// round trip whatever its size (two when it must read states first).

type Columns = ReadonlyArray<readonly [name: string, type: string]>;

/**
 * A statement sent by name, so that each connection parses and plans it once (APPLY_BATCH's planning
 * alone cost ~0.5 ms of PostgreSQL per batch). A plan follows a schema swap: PostgreSQL re-plans when
 * the search_path resolves to another schema.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

function prepared(name: string, text: string): PreparedStatement {
  return { name, text };
}

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
  ['pinned', 'boolean'],
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
  ['job_seq', 'bigint'],
  ['delivery_id', 'text'],
  ['reserved_by', 'text'],
];

export const STATE_COLUMNS: Columns = [
  ['task_id', 'uuid'],
  ['state', 'jsonb'],
  ['last_seq', 'bigint'],
];

export const SKIPPED_COLUMNS: Columns = [
  ['seq', 'bigint'],
  ['subject', 'text'],
  ['reason', 'text'],
];

/** How a value at `index` of a row array (encodeRows) becomes a column of `type`. */
function valueAt(index: number, type: string): string {
  if (type === 'text') return `r->>${index}`;
  // A JSON null is SQL NULL here as in any other column, not jsonb 'null'.
  if (type === 'jsonb') return `nullif(r->${index}, 'null'::jsonb)`;
  return `(r->>${index})::${type}`;
}

/**
 * Inserts the rows of JSON parameter `$param` (a row that exists is updated, or kept with `keep`), only
 * if the checkpoint moved (APPLY_BATCH). A row is the array of its values in the order of `columns`
 * (encodeRows): no key repeated for every row.
 */
function bulkUpsert(table: string, columns: Columns, key: readonly string[], param: number, conflict: 'update' | 'keep' = 'update'): string {
  const names = columns.map(([name]) => name);
  const values = columns.map(([, type], index) => valueAt(index, type));
  const updates = names.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  return (
    `INSERT INTO ${table} (${names.join(', ')}) ` +
    `SELECT ${values.join(', ')} FROM jsonb_array_elements($${param}::jsonb) AS e(r) WHERE EXISTS (SELECT 1 FROM moved) ` +
    `ON CONFLICT (${key.join(', ')}) ${conflict === 'update' ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`
  );
}

/** The JSON parameter of bulkUpsert: each row as the array of its values in the order of `columns`. */
export function encodeRows<Row extends object>(columns: Columns, rows: readonly Row[]): string {
  return JSON.stringify(rows.map((row) => columns.map(([name]) => (row as Record<string, unknown>)[name])));
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
 * $5 task_states, $6 tasks, $7 sub_tasks, $8 skipped_commits rows (encodeRows).
 */
export const APPLY_BATCH = prepared(
  'projection-apply-batch',
  `WITH moved AS (UPDATE projection_checkpoints SET seq = $1, updated_at = now() WHERE name = $2 AND seq = $3 ` +
    `AND NOT EXISTS (SELECT 1 FROM task_states WHERE task_id = ANY($4::uuid[])) RETURNING seq), ` +
    `wrote_states AS (${bulkUpsert('task_states', STATE_COLUMNS, ['task_id'], 5)}), ` +
    `wrote_tasks AS (${bulkUpsert('tasks', TASK_COLUMNS, ['id'], 6)}), ` +
    `wrote_sub_tasks AS (${bulkUpsert('sub_tasks', SUB_TASK_COLUMNS, ['task_id', 'id'], 7)}), ` +
    `wrote_skipped AS (${bulkUpsert('skipped_commits', SKIPPED_COLUMNS, ['seq'], 8, 'keep')}) ` +
    `SELECT EXISTS (SELECT 1 FROM moved) AS moved, EXISTS (SELECT 1 FROM task_states WHERE task_id = ANY($4::uuid[])) AS known`,
);

/** A timestamptz as the ISO 8601 string JavaScript writes, which is what the folded state holds. */
const isoOf = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The folded SubTask of the sub_tasks row `alias`, in the domain's field names (rows.ts toSubTaskRow
 * read backwards). A NULL column is an absent field: top-level nulls are dropped, nulls inside params
 * are kept. The row's params are its state's: the domain redacted them before the log and
 * redactSecrets leaves redacted params as they are.
 */
export function subTaskStateOfRow(alias: string): string {
  const c = (column: string) => `${alias}.${column}`;
  const fields: ReadonlyArray<readonly [string, string]> = [
    ['id', c('id')],
    ['key', c('key')],
    ['name', c('name')],
    ['action', c('action')],
    ['queue', c('queue')],
    ['objectType', c('object_type')],
    ['objectId', c('object_id')],
    ['params', c('params')],
    ['dependsOn', c('depends_on')],
    ['bestEffort', c('best_effort')],
    ['timeoutSeconds', c('timeout_seconds')],
    ['status', c('status')],
    ['generation', c('generation')],
    ['attempt', c('attempt')],
    ['failedAttempts', c('failed_attempts')],
    ['executions', c('executions')],
    ['jobId', c('job_id')],
    ['jobSeq', c('job_seq')],
    ['deliveryId', c('delivery_id')],
    ['reservedBy', c('reserved_by')],
    ['responseCode', c('response_code')],
    ['responseMessage', c('response_message')],
    ['nextAttemptAt', isoOf(c('next_attempt_at'))],
    ['queuedAt', isoOf(c('queued_at'))],
    ['startedAt', isoOf(c('started_at'))],
    ['finishedAt', isoOf(c('finished_at'))],
    ['updatedAt', isoOf(c('updated_at'))],
  ];
  const whole = `jsonb_build_object(${fields.map(([name, value]) => `'${name}', ${value}`).join(', ')})`;
  return `(SELECT jsonb_object_agg(f.key, f.value) FROM jsonb_each(${whole}) AS f WHERE f.value <> 'null'::jsonb)`;
}

/** The stored parts of the folded states (rows.ts: loadedState): each SubTask rebuilt from its row. */
export const LOAD_STATES = prepared(
  'projection-load-states',
  `SELECT s.task_id, s.state, s.last_seq, ` +
    `(SELECT coalesce(jsonb_agg(${subTaskStateOfRow('t')} ORDER BY t.position), '[]') FROM sub_tasks t WHERE t.task_id = s.task_id) AS subtasks ` +
    `FROM task_states s WHERE s.task_id = ANY($1::uuid[])`,
);

export const ENSURE_CHECKPOINT = `INSERT INTO projection_checkpoints (name, seq) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`;
export const READ_CHECKPOINT = `SELECT seq FROM projection_checkpoints WHERE name = $1`;

/**
 * The SubTasks queued in the read model, whose jobs a new leader watches (job-repair.ts). Read once per
 * lead, so a sequential scan: an index on status would make every status change a non-HOT update.
 */
export const QUEUED_SUB_TASKS = `SELECT task_id, id, generation, queue, action FROM sub_tasks WHERE status = 'queued'`;
