// Time comes from an injected Clock, so that the scheduling loop runs a day or a week of slots in
// seconds in tests (VirtualClock in src/testing) or in an accelerated process (AcceleratedClock).

export interface Clock {
  now(): Date;
  /**
   * Resolves once `now() >= date` (at once when it has passed), or early when `signal` aborts: the
   * caller checks `signal.aborted` and never relies on the clock's having reached `date`.
   */
  sleepUntil(date: Date, signal?: AbortSignal): Promise<void>;
}

/**
 * Longest single timer: a wall clock that jumps (NTP, a suspended VM) is noticed within this much,
 * and setTimeout's 24.8-day limit is never reached.
 */
const MAX_TIMER_MS = 60_000;

/** Waits `ms` of real time, or less when `signal` aborts. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Virtual time = `start` + real time elapsed since construction x `speed`. With speed 1 and no start
 * it is the wall clock; the scheduler's e2e test runs days in seconds with a start and a high speed.
 */
export class AcceleratedClock implements Clock {
  private readonly realStart = Date.now();
  private readonly start: number;
  private readonly speed: number;

  constructor(options: { start?: Date; speed?: number } = {}) {
    this.start = options.start?.getTime() ?? this.realStart;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0) || !Number.isFinite(this.speed)) throw new RangeError(`clock speed must be a positive number, not ${this.speed}`);
  }

  now(): Date {
    return new Date(this.start + (Date.now() - this.realStart) * this.speed);
  }

  async sleepUntil(date: Date, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const remaining = (date.getTime() - this.now().getTime()) / this.speed;
      if (remaining <= 0) return;
      await delay(Math.min(Math.ceil(remaining), MAX_TIMER_MS), signal);
    }
  }
}

/** The wall clock. */
export class SystemClock extends AcceleratedClock {
  constructor() {
    super();
  }

  override now(): Date {
    return new Date();
  }
}
