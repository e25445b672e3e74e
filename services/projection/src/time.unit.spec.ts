import { describe, expect, it } from 'vitest';
import { isDateOrTime, isTimestamp } from './time.js';

describe('time checks agree with PostgreSQL', () => {
  it.each(['2026-11-22T10:00:00Z', '2026-11-22T10:00:00.123456789+01:00', '2028-02-29T23:59:59.999Z'])('accepts the timestamp %s', (v) => {
    expect(isTimestamp(v)).toBe(true);
  });

  it.each(['2026-02-30T10:00:00Z', '2026-11-22T24:00:00Z', '2026-11-22T10:00Z', '2026-11-22', '2026-11-22T10:00:00', 42, '0000-01-01T00:00:00Z'])(
    'refuses the timestamp %s',
    (v) => expect(isTimestamp(v)).toBe(false),
  );

  it('takes dates and minute times as filters', () => {
    expect(isDateOrTime('2026-11-22')).toBe(true);
    expect(isDateOrTime('2026-11-22T10:00+02:00')).toBe(true);
    expect(isDateOrTime('2026-04-31')).toBe(false);
  });
});
