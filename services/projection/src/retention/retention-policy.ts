// How long a finished Task stays (README, "Retention"): rules by status and/or type, read once at boot
// from RETENTION_POLICY. The most specific rule that matches a Task wins (status and type, then type,
// then status, then `*`); its age counts from `finished_at`. A Task no rule matches is kept, and so
// is every unfinished or pinned Task, whatever the rules say.
//
// Syntax: comma-separated `<match>:<days>`, where <match> is `*`, a finished status (`failed`),
// `type=<task type>` or both (`failed&type=pve.node_sync`), and <days> a whole number of days from
// 1 to 36500 or `never`. Example: `*:30,failed:90,timed_out:90,type=pve.node_sync:1`.

import { TERMINAL_TASK_STATUSES, type TaskStatus } from '@vle/domain';

export interface RetentionRule {
  readonly status?: TaskStatus;
  readonly type?: string;
  /** null: never deleted. */
  readonly days: number | null;
}

export interface RetentionPolicy {
  /** Most specific first: the first rule that matches a Task is its rule. */
  readonly rules: readonly RetentionRule[];
}

export const DEFAULT_RETENTION_POLICY = '*:30,failed:90,timed_out:90,type=pve.node_sync:1';

const DAY_MS = 86_400_000;
const MAX_DAYS = 36_500;
const TYPE = /^[A-Za-z0-9_.:-]{1,200}$/;

export class RetentionPolicyError extends Error {}

export function parseRetentionPolicy(text: string): RetentionPolicy {
  const entries = text.split(',').map((e) => e.trim());
  if (entries.every((e) => e === '')) throw new RetentionPolicyError('is empty: give rules such as `*:30,failed:90`, or set RETENTION_DISABLED=true');
  const rules: RetentionRule[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry === '') throw new RetentionPolicyError(`has an empty rule in "${text}"`);
    const rule = parseRule(entry);
    const key = `${rule.status ?? '*'}&${rule.type ?? '*'}`;
    if (seen.has(key)) throw new RetentionPolicyError(`rule "${entry}": another rule matches the same Tasks`);
    seen.add(key);
    rules.push(rule);
  }
  return { rules: rules.sort((a, b) => specificity(b) - specificity(a)) };
}

function parseRule(entry: string): RetentionRule {
  const colon = entry.lastIndexOf(':');
  if (colon < 0) throw new RetentionPolicyError(`rule "${entry}": must be <match>:<days>, e.g. failed:90`);
  const match = entry.slice(0, colon).trim();
  const days = parseDays(entry, entry.slice(colon + 1).trim());
  if (match === '*') return { days };
  let status: TaskStatus | undefined;
  let type: string | undefined;
  for (const part of match.split('&').map((p) => p.trim())) {
    if (part.startsWith('type=')) {
      if (type !== undefined) throw new RetentionPolicyError(`rule "${entry}": names two types`);
      type = part.slice('type='.length);
      if (!TYPE.test(type)) throw new RetentionPolicyError(`rule "${entry}": "${type}" is not a task type`);
    } else {
      if (status !== undefined) throw new RetentionPolicyError(`rule "${entry}": names two statuses`);
      if (!TERMINAL_TASK_STATUSES.has(part as TaskStatus)) {
        throw new RetentionPolicyError(`rule "${entry}": "${part}" is not a finished status (${[...TERMINAL_TASK_STATUSES].join(', ')}), "type=<type>" or "*"`);
      }
      status = part as TaskStatus;
    }
  }
  return { ...(status ? { status } : {}), ...(type ? { type } : {}), days };
}

function parseDays(entry: string, text: string): number | null {
  if (text === 'never') return null;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_DAYS) {
    throw new RetentionPolicyError(`rule "${entry}": days must be a whole number from 1 to ${MAX_DAYS}, or never`);
  }
  return Number(text);
}

/** Status and type 3, type 2, status 1, `*` 0: a type names fewer Tasks than a status does. */
function specificity(rule: RetentionRule): number {
  return (rule.type !== undefined ? 2 : 0) + (rule.status !== undefined ? 1 : 0);
}

export interface RetainedTask {
  readonly status: string;
  readonly type: string | null;
  /** ISO 8601 or null (unfinished). */
  readonly finishedAt: string | null;
  readonly pinned: boolean;
}

/** The rule that decides a Task's fate, or undefined when none matches (kept). */
export function ruleOf(policy: RetentionPolicy, task: Pick<RetainedTask, 'status' | 'type'>): RetentionRule | undefined {
  return policy.rules.find((r) => (r.status === undefined || r.status === task.status) && (r.type === undefined || r.type === task.type));
}

/**
 * Whether a retention run at `at` deletes the Task: finished, not pinned, and older than its rule.
 * The in-memory twin of retentionCondition (retention-sql.ts), which the unit tests compare.
 */
export function isExpired(policy: RetentionPolicy, task: RetainedTask, at: Date): boolean {
  if (task.pinned || task.finishedAt === null || !TERMINAL_TASK_STATUSES.has(task.status as TaskStatus)) return false;
  const rule = ruleOf(policy, task);
  if (!rule || rule.days === null) return false;
  return Date.parse(task.finishedAt) <= at.getTime() - rule.days * DAY_MS;
}

/** The policy as the dry run shows it, most specific rule first. */
export function describePolicy(policy: RetentionPolicy): Array<{ match: string; days: number | null }> {
  return policy.rules.map((r) => ({ match: [r.status, r.type === undefined ? undefined : `type=${r.type}`].filter(Boolean).join('&') || '*', days: r.days }));
}
