// The simulator's only notion of time. Tasks end, locks free up and uptimes grow on this clock, so
// unit tests drive the state machine with a ManualClock instead of sleeping.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `delayMs` from now. */
  schedule(delayMs: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    // A simulated task must never keep the sandbox process alive on shutdown.
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; due timers run in time order inside `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.UTC(2026, 0, 15, 9, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): Timer {
    const entry: Pending = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.pending.push(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = this.pending
        .filter((p) => !p.cancelled && p.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = until;
  }
}
