// Slot arithmetic of periodic schedules: pure functions of UTC instants. A slot is the instant a
// periodic run is due; its identity (schedule name, slot instant) names the one Task it may create.
//
// Every schedule is a period and an offset from the Unix epoch: an interval of N seconds is slots
// at multiples of N (so every replica agrees on them whenever it booted), daily at HH:MM UTC is a
// period of one day offset by HH:MM. UTC has no DST and Unix time no leap seconds, so this is exact.

export type When =
  /** Every `seconds`, aligned to the Unix epoch (60: at every whole minute). */
  | { readonly kind: 'interval'; readonly seconds: number }
  /** Every day at `hour`:`minute` UTC. */
  | { readonly kind: 'daily'; readonly hour: number; readonly minute: number };

const DAY_MS = 86_400_000;

interface Cadence {
  readonly periodMs: number;
  readonly offsetMs: number;
}

function cadenceOf(when: When): Cadence {
  switch (when.kind) {
    case 'interval':
      if (!Number.isSafeInteger(when.seconds) || when.seconds < 1) throw new RangeError(`interval must be a whole number of seconds >= 1, not ${when.seconds}`);
      return { periodMs: when.seconds * 1000, offsetMs: 0 };
    case 'daily':
      if (!Number.isInteger(when.hour) || when.hour < 0 || when.hour > 23 || !Number.isInteger(when.minute) || when.minute < 0 || when.minute > 59) {
        throw new RangeError(`daily time must be HH:MM from 00:00 to 23:59, not ${when.hour}:${when.minute}`);
      }
      return { periodMs: DAY_MS, offsetMs: (when.hour * 60 + when.minute) * 60_000 };
    default:
      return assertNever(when);
  }
}

/** Index of the latest slot at or before `t` (slot n is at n * period + offset). */
function indexAtOrBefore(cadence: Cadence, t: number): number {
  return Math.floor((t - cadence.offsetMs) / cadence.periodMs);
}

function slotAt(cadence: Cadence, index: number): Date {
  return new Date(index * cadence.periodMs + cadence.offsetMs);
}

/** Time between two slots. */
export function periodMs(when: When): number {
  return cadenceOf(when).periodMs;
}

/** The latest slot at or before `t`: the run that is due at `t`. */
export function slotAtOrBefore(when: When, t: Date): Date {
  const cadence = cadenceOf(when);
  return slotAt(cadence, indexAtOrBefore(cadence, t.getTime()));
}

/** The first slot strictly after `t`: when to wake up next. */
export function nextSlotAfter(when: When, t: Date): Date {
  const cadence = cadenceOf(when);
  return slotAt(cadence, indexAtOrBefore(cadence, t.getTime()) + 1);
}

/** How many slots lie in (from, to]. */
export function countSlotsBetween(when: When, from: Date, to: Date): number {
  const cadence = cadenceOf(when);
  return Math.max(0, indexAtOrBefore(cadence, to.getTime()) - indexAtOrBefore(cadence, from.getTime()));
}

/**
 * The slots in (from, to], oldest first: what became due since `from`. Refuses more than `limit`
 * slots, so that a caller's mistake (a look-back of years at one minute) cannot build a huge list.
 */
export function slotsBetween(when: When, from: Date, to: Date, limit = 100_000): Date[] {
  const cadence = cadenceOf(when);
  const first = indexAtOrBefore(cadence, from.getTime()) + 1;
  const last = indexAtOrBefore(cadence, to.getTime());
  if (last - first + 1 > limit) throw new RangeError(`${last - first + 1} slots between ${from.toISOString()} and ${to.toISOString()}: more than ${limit}`);
  const slots: Date[] = [];
  for (let index = first; index <= last; index++) slots.push(slotAt(cadence, index));
  return slots;
}

/** "every 60 s", "daily at 01:00 UTC" (for logs). */
export function describeWhen(when: When): string {
  switch (when.kind) {
    case 'interval':
      return `every ${when.seconds} s`;
    case 'daily':
      return `daily at ${String(when.hour).padStart(2, '0')}:${String(when.minute).padStart(2, '0')} UTC`;
    default:
      return assertNever(when);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected schedule ${JSON.stringify(value)}`);
}
