// A clock that moves only when told: tests run a week of slots in milliseconds, deterministically.
// `run(until)` waits until every participant is asleep (they have handled everything due), then
// jumps to the earliest wake-up time, and so on.

import type { Clock } from '../clock/clock.js';

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private readonly sleepers = new Set<Sleeper>();
  private readonly sleepWatchers = new Set<() => void>();

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleepUntil(date: Date, signal?: AbortSignal): Promise<void> {
    if (date.getTime() <= this.current || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        at: date.getTime(),
        wake: () => {
          this.sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
      for (const watcher of this.sleepWatchers) watcher();
    });
  }

  /** How many callers are asleep. */
  get sleeping(): number {
    return this.sleepers.size;
  }

  /** Resolves once at least `count` callers are asleep. */
  whenSleeping(count: number): Promise<void> {
    if (this.sleepers.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const watcher = () => {
        if (this.sleepers.size < count) return;
        this.sleepWatchers.delete(watcher);
        resolve();
      };
      this.sleepWatchers.add(watcher);
    });
  }

  /** Moves time to `date` (never backwards) and wakes every sleeper due by then. */
  advanceTo(date: Date): void {
    this.current = Math.max(this.current, date.getTime());
    for (const sleeper of this.sleepers) {
      if (sleeper.at <= this.current) sleeper.wake();
    }
  }

  /**
   * Runs time forward to `until`: each step waits for `participants` sleepers (every loop has done
   * what was due), then jumps to the earliest wake-up. Returns the number of steps.
   */
  async run(until: Date, participants: number): Promise<number> {
    let steps = 0;
    for (;;) {
      await this.whenSleeping(participants);
      const next = Math.min(...[...this.sleepers].map((s) => s.at));
      if (next > until.getTime()) {
        this.advanceTo(until);
        return steps;
      }
      this.advanceTo(new Date(next));
      steps++;
    }
  }
}
