// A read model of many Tasks written straight into the projection's tables by PostgreSQL itself
// (INSERT … SELECT over generate_series: no row crosses the network), for the read side's figures.
// The values are spread the way an OpenVLE installation's would be: mostly finished Tasks over 90
// days, 50 users, 2,000 lab events, VM clones with a VM each, 5 SubTasks per Task by default. Rows are
// written in the order their Tasks were created, as the projector writes them (a Task's row is inserted
// when its TaskCreated arrives, and ids are UUIDv7), so that the heap is laid out as a real read model's
// is; `layout: 'shuffled'` spreads the creation times at random over the rows instead, the worst case
// for a scan in created_at order (every row on another page).

import pg from 'pg';

export interface LoadOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly tasks: number;
  readonly subtasksPerTask: number;
  /** Tasks per statement (each its own transaction), so that progress shows and no statement is huge. */
  readonly chunk?: number;
  readonly now: number;
  /** 'creation' (default): row i is the i-th Task created; 'shuffled': creation times at random. */
  readonly layout?: 'creation' | 'shuffled';
}

export const LOAD_POOLS = {
  users: 50,
  events: 2000,
  vmIds: 100_000,
  words: ['Clone', 'Deploy', 'Start', 'Stop', 'Mail', 'Sync', 'Lab', 'Network', 'Course', 'Archive', 'Connection', 'Template'],
  types: ['vm.clone', 'vm.start', 'vm.stop', 'event.deploy', 'mail.send', 'pve.node_sync', 'guacamole.connection'],
  queues: ['pve_vm_clone', 'pve_vm_actions', 'mails', 'guacamole', 'moodle'],
  codes: ['OK', 'STORAGE_FULL', 'TIMEOUT', 'NOT_FOUND', 'PVE_500'],
};

/** The id of generated Task `i` (1-based), a valid uuid. */
export const loadedTaskId = (i: number) => `0190a7e2-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;

const arr = (values: readonly string[]) => `(ARRAY[${values.map((v) => `'${v}'`).join(',')}])`;

// h(k): a pseudo-random non-negative integer of the row number and a salt, the same on every run
// (hashint8 is PostgreSQL's own hash; the mask keeps it positive without abs()'s overflow).
const h = (salt: number) => `(hashint8(i::bigint * 1000 + ${salt}) & 2147483647)`;

const SPAN_S = 90 * 86_400;

/**
 * The creation time of row i: in row order over the last 90 days (a few seconds of jitter, Tasks
 * created together), or at random over them.
 */
function createdAtSql(tasks: number, now: number, layout: 'creation' | 'shuffled'): string {
  const start = `to_timestamp(${Math.floor(now / 1000) - SPAN_S})`;
  if (layout === 'shuffled') return `${start} + (${h(13)} % ${SPAN_S}) * interval '1 second' + (${h(14)} % 1000) * interval '1 millisecond'`;
  return `${start} + (i::float8 * ${SPAN_S} / ${tasks}) * interval '1 second' - (${h(14)} % 5000) * interval '1 millisecond'`;
}

function tasksSql(from: number, to: number, createdAt: string): string {
  const status = `(ARRAY['success','success','success','success','success','failed','failed','running','queued','cancelled','warning','timed_out'])[1 + ${h(1)} % 12]`;
  return `
INSERT INTO tasks (id, name, type, status, status_reason, progress, created_by, event_id, object_type, object_id, origin_task_id,
  start_at, start_before, timeout_seconds, started_at, finished_at, cancel_requested, manual_intervention,
  subtasks_total, subtasks_finished, subtasks_failed, created_at, updated_at, version, last_seq, pinned)
SELECT
  ('0190a7e2-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
  ${arr(LOAD_POOLS.words)}[1 + ${h(2)} % ${LOAD_POOLS.words.length}] || ' ' || ${arr(LOAD_POOLS.words)}[1 + ${h(3)} % ${LOAD_POOLS.words.length}] || ' ' || i,
  CASE WHEN ${h(4)} % 10 = 0 THEN NULL ELSE ${arr(LOAD_POOLS.types)}[1 + ${h(5)} % ${LOAD_POOLS.types.length}] END,
  s.status, NULL, CASE WHEN s.status IN ('running', 'queued') THEN 0.4 ELSE 1 END,
  'user' || (${h(6)} % ${LOAD_POOLS.users}),
  CASE WHEN ${h(7)} % 10 < 4 THEN NULL ELSE (${h(8)} % ${LOAD_POOLS.events})::text END,
  CASE WHEN ${h(9)} % 2 = 0 THEN 'vm' ELSE NULL END,
  CASE WHEN ${h(9)} % 2 = 0 THEN (${h(10)} % ${LOAD_POOLS.vmIds})::text ELSE NULL END,
  CASE WHEN i > 1 AND ${h(11)} % 20 = 0 THEN '0190a7e2-0000-7000-8000-' || lpad(to_hex(1 + ${h(12)} % (i - 1)), 12, '0') ELSE NULL END,
  NULL, NULL, NULL,
  c.created_at + interval '2 seconds',
  CASE WHEN s.status IN ('running', 'queued') THEN NULL ELSE c.created_at + interval '40 seconds' END,
  false, false, 5, CASE WHEN s.status IN ('running', 'queued') THEN 2 ELSE 5 END, CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END,
  c.created_at, c.created_at + interval '40 seconds', 12, 0, false
FROM generate_series(${from}, ${to}) AS i,
  LATERAL (SELECT ${status} AS status) s,
  LATERAL (SELECT ${createdAt} AS created_at) c`;
}

function subTasksSql(from: number, to: number, perTask: number): string {
  const sub = (salt: number) => `(hashint8(t.n * 100 + p * 10 + ${salt}) & 2147483647)`;
  return `
INSERT INTO sub_tasks (task_id, id, position, key, name, action, queue, status, generation, attempt, failed_attempts, executions,
  job_id, object_type, object_id, params, depends_on, best_effort, timeout_seconds, response_code, response_message,
  next_attempt_at, queued_at, started_at, finished_at, created_at, updated_at, job_seq, delivery_id, reserved_by)
SELECT t.id, 'st' || p, p, 'step' || p, 'Step ' || p, q.action, q.queue,
  CASE WHEN t.status = 'failed' AND p = ${perTask - 1} THEN 'failed' WHEN t.status IN ('running', 'queued') AND p >= 2 THEN 'queued' ELSE 'success' END,
  1, 1, 0, 1, t.id || ':st' || p || ':1',
  CASE WHEN q.queue = 'pve_vm_clone' THEN 'vm' ELSE NULL END,
  CASE WHEN q.queue = 'pve_vm_clone' THEN (${sub(1)} % ${LOAD_POOLS.vmIds})::text ELSE NULL END,
  '{}'::jsonb, CASE WHEN p = 0 THEN '[]'::jsonb ELSE jsonb_build_array('st' || (p - 1)) END, false, NULL,
  CASE WHEN t.status = 'failed' AND p = ${perTask - 1} THEN ${arr(LOAD_POOLS.codes)}[2 + ${sub(2)} % ${LOAD_POOLS.codes.length - 1}] ELSE 'OK' END,
  CASE WHEN t.status = 'failed' AND p = ${perTask - 1} THEN 'storage full on pve' || (${sub(3)} % 3) ELSE 'done' END,
  NULL, t.created_at, t.started_at, t.finished_at, t.created_at, t.updated_at, NULL, NULL, NULL
FROM (SELECT id, status, created_at, updated_at, started_at, finished_at, ('x' || right(id::text, 12))::bit(48)::bigint AS n FROM tasks
      WHERE id BETWEEN ('0190a7e2-0000-7000-8000-' || lpad(to_hex(${from}), 12, '0'))::uuid AND ('0190a7e2-0000-7000-8000-' || lpad(to_hex(${to}), 12, '0'))::uuid) t,
  generate_series(0, ${perTask - 1}) AS p,
  LATERAL (SELECT ${arr(LOAD_POOLS.queues)}[1 + (${sub(4)} % ${LOAD_POOLS.queues.length})] AS queue) q0,
  LATERAL (SELECT q0.queue, CASE q0.queue WHEN 'pve_vm_clone' THEN 'vm.clone' WHEN 'pve_vm_actions' THEN 'vm.start' WHEN 'mails' THEN 'mail.send' WHEN 'guacamole' THEN 'connection.create' ELSE 'course.deploy' END AS action) q`;
}

/**
 * Writes the rows, then VACUUM ANALYZE (the state autovacuum keeps a read model in: hint bits set,
 * the visibility map and the planner's statistics current); `progress` is told after each chunk.
 */
export async function loadRows(options: LoadOptions, progress: (done: number) => void): Promise<void> {
  const client = new pg.Client({ connectionString: options.databaseUrl, options: `-c search_path=${options.schema},public -c synchronous_commit=off` });
  await client.connect();
  try {
    const chunk = options.chunk ?? 100_000;
    const createdAt = createdAtSql(options.tasks, options.now, options.layout ?? 'creation');
    for (let from = 1; from <= options.tasks; from += chunk) {
      const to = Math.min(options.tasks, from + chunk - 1);
      await client.query(tasksSql(from, to, createdAt));
      if (options.subtasksPerTask > 0) await client.query(subTasksSql(from, to, options.subtasksPerTask));
      progress(to);
    }
    await client.query('VACUUM (ANALYZE) tasks');
    await client.query('VACUUM (ANALYZE) sub_tasks');
  } finally {
    await client.end();
  }
}
