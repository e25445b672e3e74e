import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { elapsedMs, formatCounts, formatDuration, formatTime, oneLine } from './format.js';

describe('formatTime', () => {
  let zone: string | undefined;
  beforeEach(() => {
    zone = process.env.TZ;
  });
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it("shows a time in the machine's zone (TZ), and nothing for none", () => {
    process.env.TZ = 'UTC';
    expect(formatTime('2026-11-22T09:05:03.120Z')).toBe('2026-11-22 09:05:03');
    process.env.TZ = 'Europe/Berlin';
    expect(formatTime('2026-11-22T09:05:03.120Z')).toBe('2026-11-22 10:05:03');
    expect(formatTime(null)).toBe('');
    expect(formatTime('not a time')).toBe('not a time');
  });
});

describe('formatDuration, formatCounts, oneLine, elapsedMs', () => {
  it('reads as a person says it', () => {
    expect([850, 3450, 60_000, 245_000, 7_380_000, 273_600_000].map(formatDuration)).toEqual(['850 ms', '3.4 s', '1 m 00 s', '4 m 05 s', '2 h 03 m', '3 d 04 h']);
    expect(formatCounts({ finished: 3, total: 8, failed: 0 })).toBe('3/8');
    expect(formatCounts({ finished: 3, total: 8, failed: 1 })).toBe('3/8 (1 failed)');
    expect(oneLine('PVE_500\n  storage\tfull ')).toBe('PVE_500 storage full');
  });

  it('counts a Task\'s time from its start (or creation) to its end, or to now', () => {
    const task = { createdAt: '2026-11-22T10:00:00Z', startedAt: '2026-11-22T10:00:02Z', finishedAt: '2026-11-22T10:00:05.500Z' };
    expect(elapsedMs(task)).toBe(3500);
    expect(elapsedMs({ ...task, startedAt: null, finishedAt: null }, Date.parse('2026-11-22T10:01:00Z'))).toBe(60_000);
  });
});
