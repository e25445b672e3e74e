import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../testing/virtual-clock.js';
import { AcceleratedClock, SystemClock } from './clock.js';

describe('AcceleratedClock', () => {
  it('starts at the given instant and runs speed times faster than real time', async () => {
    const clock = new AcceleratedClock({ start: new Date('2026-03-02T00:00:00Z'), speed: 3600 });
    const before = Date.now();
    await clock.sleepUntil(new Date('2026-03-02T00:01:00Z')); // one virtual minute: ~17 ms
    const realMs = Date.now() - before;
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-02T00:01:00Z'));
    expect(realMs).toBeLessThan(1000);
  });

  it('returns at once for a past instant and early when aborted', async () => {
    const clock = new AcceleratedClock({ speed: 1 });
    await clock.sleepUntil(new Date(0));
    const abort = new AbortController();
    const sleeping = clock.sleepUntil(new Date(Date.now() + 3_600_000), abort.signal);
    abort.abort();
    await sleeping;
    expect(abort.signal.aborted).toBe(true);
  });

  it('refuses a speed that is not positive', () => {
    expect(() => new AcceleratedClock({ speed: 0 })).toThrow(RangeError);
  });

  it('is the wall clock as SystemClock', () => {
    const now = Date.now();
    expect(Math.abs(new SystemClock().now().getTime() - now)).toBeLessThan(1000);
  });
});

describe('VirtualClock', () => {
  it('moves only when advanced, and wakes the sleepers due by then in order', async () => {
    const clock = new VirtualClock(new Date('2026-03-02T00:00:00Z'));
    const woken: string[] = [];
    void clock.sleepUntil(new Date('2026-03-02T02:00:00Z')).then(() => woken.push('2h'));
    void clock.sleepUntil(new Date('2026-03-02T01:00:00Z')).then(() => woken.push('1h'));
    expect(clock.sleeping).toBe(2);
    clock.advanceTo(new Date('2026-03-02T01:30:00Z'));
    await Promise.resolve();
    expect(woken).toEqual(['1h']);
    clock.advanceTo(new Date('2026-03-02T00:00:00Z')); // never backwards
    expect(clock.now().toISOString()).toBe('2026-03-02T01:30:00.000Z');
    clock.advanceTo(new Date('2026-03-02T03:00:00Z'));
    await Promise.resolve();
    expect(woken).toEqual(['1h', '2h']);
  });

  it('runs a loop to a point, jumping from wake-up to wake-up', async () => {
    const clock = new VirtualClock(new Date('2026-03-02T00:00:00Z'));
    const ticks: string[] = [];
    const abort = new AbortController();
    const loop = (async () => {
      while (!abort.signal.aborted) {
        ticks.push(clock.now().toISOString().slice(11, 16));
        await clock.sleepUntil(new Date(clock.now().getTime() + 6 * 3_600_000), abort.signal);
      }
    })();
    expect(await clock.run(new Date('2026-03-03T00:00:00Z'), 1)).toBe(4);
    abort.abort();
    await loop;
    expect(ticks).toEqual(['00:00', '06:00', '12:00', '18:00', '00:00']);
  });
});
