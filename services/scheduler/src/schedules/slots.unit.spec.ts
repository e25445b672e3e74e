import { describe, expect, it } from 'vitest';
import { countSlotsBetween, describeWhen, nextSlotAfter, periodMs, slotAtOrBefore, slotsBetween, type When } from './slots.js';

const at = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((d) => d.toISOString());

const everyMinute: When = { kind: 'interval', seconds: 60 };
const hourly: When = { kind: 'interval', seconds: 3600 };
const dailyAt1: When = { kind: 'daily', hour: 1, minute: 0 };

describe('interval schedules', () => {
  it('put slots at multiples of the interval since the epoch, whenever a replica booted', () => {
    expect(slotAtOrBefore(everyMinute, at('2026-03-02T10:07:42.123Z')).toISOString()).toBe('2026-03-02T10:07:00.000Z');
    expect(nextSlotAfter(everyMinute, at('2026-03-02T10:07:42.123Z')).toISOString()).toBe('2026-03-02T10:08:00.000Z');
    expect(slotAtOrBefore({ kind: 'interval', seconds: 45 }, at('1970-01-01T00:02:00Z')).toISOString()).toBe('1970-01-01T00:01:30.000Z');
  });

  it('count a slot that falls exactly on t as due at t, and the next one strictly after', () => {
    expect(slotAtOrBefore(everyMinute, at('2026-03-02T10:08:00Z')).toISOString()).toBe('2026-03-02T10:08:00.000Z');
    expect(nextSlotAfter(everyMinute, at('2026-03-02T10:08:00Z')).toISOString()).toBe('2026-03-02T10:09:00.000Z');
  });

  it('list the slots in (from, to], oldest first', () => {
    expect(isos(slotsBetween(everyMinute, at('2026-03-02T10:00:00Z'), at('2026-03-02T10:03:00Z')))).toEqual([
      '2026-03-02T10:01:00.000Z',
      '2026-03-02T10:02:00.000Z',
      '2026-03-02T10:03:00.000Z',
    ]);
    expect(slotsBetween(everyMinute, at('2026-03-02T10:00:01Z'), at('2026-03-02T10:00:59Z'))).toEqual([]);
    expect(slotsBetween(everyMinute, at('2026-03-02T10:05:00Z'), at('2026-03-02T10:00:00Z'))).toEqual([]);
  });

  it('make 168 hourly slots in a week', () => {
    const from = at('2026-03-02T00:30:00Z');
    const to = at('2026-03-09T00:30:00Z');
    expect(slotsBetween(hourly, from, to)).toHaveLength(168);
    expect(countSlotsBetween(hourly, from, to)).toBe(168);
  });

  it('refuse a list longer than the limit instead of building it', () => {
    expect(() => slotsBetween({ kind: 'interval', seconds: 1 }, at('2026-01-01T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toThrow(/more than 100000/);
    expect(countSlotsBetween({ kind: 'interval', seconds: 1 }, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'))).toBe(86_400);
  });

  it('refuse an interval that is not a whole number of seconds >= 1', () => {
    expect(() => slotAtOrBefore({ kind: 'interval', seconds: 0 }, at('2026-03-02T00:00:00Z'))).toThrow(RangeError);
    expect(() => slotAtOrBefore({ kind: 'interval', seconds: 1.5 }, at('2026-03-02T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('daily schedules (UTC)', () => {
  it('are due at HH:MM UTC of the same day, or of the day before', () => {
    expect(slotAtOrBefore(dailyAt1, at('2026-03-02T00:59:59.999Z')).toISOString()).toBe('2026-03-01T01:00:00.000Z');
    expect(slotAtOrBefore(dailyAt1, at('2026-03-02T01:00:00Z')).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(slotAtOrBefore(dailyAt1, at('2026-03-02T23:59:00Z')).toISOString()).toBe('2026-03-02T01:00:00.000Z');
    expect(nextSlotAfter(dailyAt1, at('2026-03-02T01:00:00Z')).toISOString()).toBe('2026-03-03T01:00:00.000Z');
    expect(nextSlotAfter({ kind: 'daily', hour: 23, minute: 45 }, at('2026-12-31T23:50:00Z')).toISOString()).toBe('2027-01-01T23:45:00.000Z');
  });

  it('have no DST: across the European and US clock changes a day is 24 h', () => {
    // 2026-03-08 (US) and 2026-03-29 (EU) move local clocks, not UTC.
    const slots = slotsBetween(dailyAt1, at('2026-03-07T00:00:00Z'), at('2026-03-31T00:00:00Z'));
    expect(slots).toHaveLength(24);
    expect(slots.every((s) => s.getUTCHours() === 1 && s.getUTCMinutes() === 0)).toBe(true);
    expect(new Set(slots.slice(1).map((s, i) => s.getTime() - slots[i]!.getTime()))).toEqual(new Set([86_400_000]));
  });

  it('make 7 slots in a week and 2 in a 2-day look-back', () => {
    expect(slotsBetween({ kind: 'daily', hour: 2, minute: 0 }, at('2026-03-02T00:30:00Z'), at('2026-03-09T00:30:00Z'))).toHaveLength(7);
    expect(isos(slotsBetween(dailyAt1, at('2026-03-02T14:00:00Z'), at('2026-03-04T14:00:00Z')))).toEqual(['2026-03-03T01:00:00.000Z', '2026-03-04T01:00:00.000Z']);
  });

  it('keep leap days and the end of the year', () => {
    expect(isos(slotsBetween(dailyAt1, at('2028-02-28T12:00:00Z'), at('2028-03-01T12:00:00Z')))).toEqual(['2028-02-29T01:00:00.000Z', '2028-03-01T01:00:00.000Z']);
  });

  it('refuse a time that is not HH:MM', () => {
    expect(() => slotAtOrBefore({ kind: 'daily', hour: 24, minute: 0 }, at('2026-03-02T00:00:00Z'))).toThrow(RangeError);
    expect(() => slotAtOrBefore({ kind: 'daily', hour: 1, minute: 60 }, at('2026-03-02T00:00:00Z'))).toThrow(RangeError);
  });
});

it('describes and measures schedules', () => {
  expect(describeWhen(everyMinute)).toBe('every 60 s');
  expect(describeWhen({ kind: 'daily', hour: 2, minute: 5 })).toBe('daily at 02:05 UTC');
  expect(periodMs(dailyAt1)).toBe(86_400_000);
  expect(periodMs(hourly)).toBe(3_600_000);
});
