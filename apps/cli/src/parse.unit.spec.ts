import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collect, parseDuration, parseTime, wholeNumber } from './parse.js';

const now = () => new Date('2026-11-22T12:00:00.000Z');

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['90', 90_000],
    ['1.5s', 1500],
    ['30m', 1_800_000],
    ['30min', 1_800_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
  ])('reads %s as %i ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', 'soon', '5 minutes', '-5m', '0s', '400d', '2h30m'])('refuses %j naming what it takes', (raw) => {
    expect(() => parseDuration(raw)).toThrow(InvalidArgumentError);
  });

  it('takes a longer maximum when asked', () => {
    expect(parseDuration('400d', 36_500)).toBe(400 * 86_400_000);
  });
});

describe('parseTime', () => {
  it('passes a date through (the API reads it as midnight UTC) and normalizes an ISO time with a zone', () => {
    expect(parseTime('2026-11-22', now)).toBe('2026-11-22');
    expect(parseTime('2026-11-22T10:00:00+02:00', now)).toBe('2026-11-22T08:00:00.000Z');
    expect(parseTime('2026-11-22T10:00:00Z', now)).toBe('2026-11-22T10:00:00.000Z');
  });

  it('reads a duration as that long ago, +duration as that long from now, and now', () => {
    expect(parseTime('2h', now)).toBe('2026-11-22T10:00:00.000Z');
    expect(parseTime('+1d', now)).toBe('2026-11-23T12:00:00.000Z');
    expect(parseTime('+400d', now)).toBe('2027-12-27T12:00:00.000Z');
    expect(parseTime('now', now)).toBe('2026-11-22T12:00:00.000Z');
  });

  it.each(['yesterday', '2026-11-22T10:00:00', '2026-13-45', '22.11.2026', '+', 'in 2h'])('refuses %j (no zone, not a date, not a duration)', (raw) => {
    expect(() => parseTime(raw, now)).toThrow(/must be a date \(2026-11-22\), an ISO time with a zone/);
  });
});

describe('wholeNumber and collect', () => {
  it('takes whole numbers in the range only', () => {
    const limit = wholeNumber(1, 500);
    expect(limit('50')).toBe(50);
    for (const raw of ['0', '501', '1.5', 'ten', '', '-1']) expect(() => limit(raw)).toThrow('must be a whole number from 1 to 500');
  });

  it('collects comma-separated and repeated values, refusing an empty one', () => {
    expect(collect('failed, timed_out', collect('cancelled'))).toEqual(['cancelled', 'failed', 'timed_out']);
    expect(() => collect(' , ')).toThrow('must not be empty');
  });
});
