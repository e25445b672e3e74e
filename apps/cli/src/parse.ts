// The values of options: durations (`--timeout 5m`, `--period 24h`), times (`--since 2h`,
// `--until 2026-11-22`), whole numbers in a range, lists (`--status failed,timed_out`, or repeated).
// Each parser throws commander's InvalidArgumentError, so that a bad value is a usage error naming
// the option.

import { InvalidArgumentError } from 'commander';

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `500ms`, `90s`, `30m`, `2h`, `7d`, `1w`, or plain seconds, longer than 0 and at most `maxDays`; in ms. */
export function parseDuration(raw: string, maxDays = 366): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d|w)?$/.exec(raw.trim());
  if (!match) throw new InvalidArgumentError('must be a duration such as 90s, 30m, 2h or 7d');
  const ms = Number(match[1]) * UNITS_MS[match[2] ?? 's']!;
  if (!(ms > 0) || ms > maxDays * UNITS_MS.d!) throw new InvalidArgumentError(`must be longer than 0 and at most ${maxDays} days`);
  return Math.round(ms);
}

/** The longest duration of a time (`--at +400d`): the retention keeps Tasks up to 36500 days. */
const MAX_TIME_DAYS = 36_600;

/**
 * A time for the API's `from`, `to`, `since`, `until`, `at`: a date (`2026-11-22`, midnight UTC, as the
 * API reads it), an ISO 8601 time with a zone, `now`, a duration meaning that long ago (`2h`), or
 * one with `+` meaning that long from now (`+90d`: the retention as of a later time).
 */
export function parseTime(raw: string, now: () => Date = () => new Date()): string {
  const value = raw.trim();
  if (value === 'now') return now().toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  if (/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  if (/^\+?\d/.test(value)) {
    const later = value.startsWith('+');
    try {
      const ms = parseDuration(later ? value.slice(1) : value, MAX_TIME_DAYS);
      return new Date(now().getTime() + (later ? ms : -ms)).toISOString();
    } catch {
      // Not a duration either: the message below says what is taken.
    }
  }
  throw new InvalidArgumentError('must be a date (2026-11-22), an ISO time with a zone (2026-11-22T10:00:00Z), now, a duration ago (30m, 2h, 7d) or from now (+90d)');
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return value;
  };
}

/** Values given comma-separated, repeated, or both: `--status failed,timed_out --status cancelled`. */
export function collect(raw: string, previous: readonly string[] = []): string[] {
  const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
  if (values.length === 0) throw new InvalidArgumentError('must not be empty');
  return [...previous, ...values];
}
