// The retention's statements. Which Tasks a run at `at` deletes is one SQL condition built from the
// policy with bound parameters (never a value spliced into the text): finished, not pinned, and
// finished before `at` minus the days of the Task's most specific rule (a CASE in the policy's order,
// retention-policy.ts). A prefilter on finished_at alone (the shortest retention) lets PostgreSQL use
// the partial index tasks_retention_idx.

import { TERMINAL_TASK_STATUSES } from '@vle/domain';
import type { RetentionPolicy } from './retention-policy.js';

export interface Condition {
  readonly sql: string;
  readonly values: unknown[];
}

/** The condition over table alias `t`, its parameters numbered from `$<first>`; `at` is the first of them. */
export function retentionCondition(policy: RetentionPolicy, at: Date, first = 1): Condition {
  const values: unknown[] = [at.toISOString(), [...TERMINAL_TASK_STATUSES]];
  const param = (value: unknown) => {
    values.push(value);
    return `$${first + values.length - 1}`;
  };
  const whens: string[] = [];
  for (const rule of policy.rules) {
    const tests = [rule.status === undefined ? undefined : `t.status = ${param(rule.status)}`, rule.type === undefined ? undefined : `t.type = ${param(rule.type)}`].filter(Boolean);
    // null days (never): the comparison is NULL, so the Task is not chosen.
    whens.push(`WHEN ${tests.length === 0 ? 'true' : tests.join(' AND ')} THEN ${rule.days === null ? 'NULL' : `${param(rule.days)}::integer`}`);
  }
  const kept = policy.rules.map((r) => r.days).filter((d): d is number => d !== null);
  if (whens.length === 0 || kept.length === 0) return { sql: 'false', values: [] };
  const at$ = `$${first}::timestamptz`;
  const shortest = param(Math.min(...kept));
  const days = `(CASE ${whens.join(' ')} ELSE NULL END)`;
  return {
    sql:
      `t.finished_at IS NOT NULL AND NOT t.pinned AND t.status = ANY($${first + 1}::text[]) ` +
      `AND t.finished_at <= ${at$} - make_interval(days => ${shortest}::integer) ` +
      `AND t.finished_at <= ${at$} - make_interval(days => ${days})`,
    values,
  };
}

/** What a run would delete, by status and type (the dry run). */
export function previewCounts(condition: Condition): Condition {
  return {
    sql:
      `SELECT t.status, t.type, count(*)::integer AS count, min(t.finished_at) AS oldest, max(t.finished_at) AS newest ` +
      `FROM tasks t WHERE ${condition.sql} GROUP BY t.status, t.type ORDER BY t.status, t.type`,
    values: condition.values,
  };
}

export function previewSamples(condition: Condition, limit: number): Condition {
  return {
    sql: `SELECT t.id, t.name, t.status, t.type, t.finished_at FROM tasks t WHERE ${condition.sql} ORDER BY t.finished_at, t.id LIMIT ${Math.trunc(limit)}`,
    values: condition.values,
  };
}

/** The next Tasks of a run, oldest first, leaving out those it already passed over (`$<last>`). */
export function nextBatch(condition: Condition, size: number): Condition {
  const passed = `$${condition.values.length + 1}`;
  return {
    sql: `SELECT t.id, t.status, t.type, t.last_seq FROM tasks t WHERE ${condition.sql} AND t.id <> ALL(${passed}::uuid[]) ORDER BY t.finished_at, t.id LIMIT ${Math.trunc(size)}`,
    values: condition.values,
  };
}

/**
 * Every row of the Tasks `$1`, run in one transaction (retention.ts): their SubTasks, folded states,
 * the skipped commits of their subjects `$2`, then the Tasks. Rows whose subject is already purged (a
 * run that died between the purge and this) are deleted the same way.
 */
export const DELETE_TASK_ROWS = {
  subTasks: `DELETE FROM sub_tasks WHERE task_id = ANY($1::uuid[])`,
  states: `DELETE FROM task_states WHERE task_id = ANY($1::uuid[])`,
  skipped: `DELETE FROM skipped_commits WHERE subject = ANY($1::text[])`,
  tasks: `DELETE FROM tasks WHERE id = ANY($1::uuid[])`,
} as const;
