// RFC 3339 checks that agree with PostgreSQL: V8's Date.parse accepts 2026-02-30 (it rolls over to
// March), timestamptz refuses it; a value we let through must not fail later in SQL.

const PARTS = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

function calendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A real calendar date or date-time; `timestamp` demands the time with seconds and a zone. */
function check(value: unknown, form: 'timestamp' | 'date-or-time'): value is string {
  if (typeof value !== 'string') return false;
  const m = PARTS.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, zone, zh, zm] = m;
  if (!calendarDate(Number(y), Number(mo), Number(d)) || Number(y) < 1) return false;
  if (h === undefined) return form === 'date-or-time';
  if (form === 'timestamp' && s === undefined) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return false;
  if (zone !== 'Z' && (Number(zh) > 15 || Number(zm) > 59)) return false;
  return true;
}

/** An RFC 3339 timestamp with seconds and a zone, as events carry (2026-11-22T10:00:00.000Z). */
export function isTimestamp(value: unknown): value is string {
  return check(value, 'timestamp');
}

/** A date (2026-11-22) or an ISO 8601 time with a zone, seconds optional: what a query filter takes. */
export function isDateOrTime(value: unknown): value is string {
  return check(value, 'date-or-time');
}
