// The query string of GET /api/v1/stats: the period (`from` inclusive, `to` exclusive, the last 24 h
// by default) and an optional `interval` to count per hour or day. Bounded, so that one request is a
// few statements that end within the statement timeout: a year at most, 31 days by the hour.

import { ContractError, type Violation } from '@vle/contracts';
import { isDateOrTime } from '../../time.js';

export type StatsInterval = 'hour' | 'day';

export interface StatsQuery {
  readonly from: number;
  readonly to: number;
  readonly interval?: StatsInterval;
}

const DAY_MS = 86_400_000;
export const MAX_PERIOD_MS = 366 * DAY_MS;
export const MAX_HOURLY_PERIOD_MS = 31 * DAY_MS;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const KNOWN = ['from', 'to', 'interval'];

function time(query: Record<string, unknown>, field: string, violations: Violation[]): number | undefined {
  const value = query[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isDateOrTime(value)) {
    violations.push({ field, message: 'must be a date (2026-11-22) or an ISO 8601 time with a zone (2026-11-22T10:00:00Z), given once' });
    return undefined;
  }
  return Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value);
}

export function parseStatsQuery(query: Record<string, unknown>, now = Date.now()): StatsQuery {
  const violations: Violation[] = [];
  for (const key of Object.keys(query)) if (!KNOWN.includes(key)) violations.push({ field: key, message: `is not a parameter; use ${KNOWN.join(', ')}` });
  const given = { from: time(query, 'from', violations), to: time(query, 'to', violations) };
  const to = given.to ?? (given.from === undefined ? now : Math.min(now, given.from + MAX_PERIOD_MS));
  const from = given.from ?? to - DAY_MS;
  const interval = query.interval;
  if (interval !== undefined && interval !== 'hour' && interval !== 'day') violations.push({ field: 'interval', message: 'must be hour or day, given once' });
  if (violations.length === 0) {
    if (from >= to) violations.push({ field: 'to', message: 'must be later than from' });
    else if (to - from > MAX_PERIOD_MS) violations.push({ field: 'from', message: 'the period must be at most 366 days' });
    else if (interval === 'hour' && to - from > MAX_HOURLY_PERIOD_MS) violations.push({ field: 'interval', message: 'hour takes a period of at most 31 days; use day' });
  }
  if (violations.length > 0) {
    const first = violations[0]!;
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
    throw new ContractError('VALIDATION_FAILED', `invalid query: ${first.field}: ${first.message}${more}`, violations);
  }
  return { from, to, ...(interval === undefined ? {} : { interval: interval as StatsInterval }) };
}
