// Answers a simulator sends later: a fault's delay, or "the work is done but the answer hangs"
// (a client times out and cannot tell whether it happened). Held answers are dropped, their
// connections destroyed, when the sandbox stops.

import type { ServerResponse } from 'node:http';

export class HeldAnswers {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; res: ServerResponse }>();

  /** Runs `send` after `delayMs` (at once when it is 0 or less). */
  later(res: ServerResponse, delayMs: number, send: () => void): void {
    if (delayMs <= 0) {
      send();
      return;
    }
    const entry = {
      res,
      timer: setTimeout(() => {
        this.pending.delete(entry);
        send();
      }, delayMs),
    };
    this.pending.add(entry);
  }

  close(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.res.destroy();
    }
    this.pending.clear();
  }
}
