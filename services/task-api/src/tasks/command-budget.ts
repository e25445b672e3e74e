// How much command work task-api takes on at once, over HTTP and NATS request/reply alike (issue 8):
// every command in flight holds its body in memory until it is answered, so a burst of large bodies
// (or slow uploads) could otherwise take the process past its memory limit. Over the budget a command
// is refused at once with 503 BUSY, which a client retries; nothing waits in an unbounded queue. The
// durable intake needs none: its consumer fetches at most its concurrency.

export class Busy extends Error {
  override readonly name = 'Busy';
  readonly code = 'BUSY';
}

export interface CommandBudgetLimits {
  /** Commands handled at once. */
  readonly maxCommands: number;
  /** Their bodies' bytes, summed (a body of unknown length counts as the largest allowed). */
  readonly maxBytes: number;
}

export class CommandBudget {
  private commands = 0;
  private bytes = 0;

  constructor(private readonly limits: CommandBudgetLimits) {}

  /** Takes room for one command of `bytes`; returns its release, or throws Busy. */
  take(bytes: number): () => void {
    const { maxCommands, maxBytes } = this.limits;
    if (this.commands >= maxCommands || (this.commands > 0 && this.bytes + bytes > maxBytes)) {
      throw new Busy(`task-api is handling ${this.commands} commands (${this.bytes} bytes) at once, its limit (${maxCommands} commands, ${maxBytes} bytes); retry in a moment`);
    }
    this.commands++;
    this.bytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.commands--;
      this.bytes -= bytes;
    };
  }

  /** Runs `work` within the budget. */
  async run<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const release = this.take(bytes);
    try {
      return await work();
    } finally {
      release();
    }
  }
}
