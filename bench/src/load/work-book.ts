// The book of one peer's work: every Task (or flow) submitted, with the times the bench saw it sent,
// answered and finished. Completion arrives asynchronously (the log follower, the BullMQ worker), so
// phases wait on the book for a count of finished items instead of polling anything.

export interface WorkItem {
  readonly id: string;
  readonly phase: string;
  /** performance.now() when the create command / flow add was sent. */
  readonly submittedAt: number;
  /** Date.now() at the same moment (server timestamps are wall-clock). */
  readonly submittedWall: number;
  /** SubTasks (or jobs) of this item. */
  readonly units: number;
  repliedAt?: number;
  finishedAt?: number;
  ok?: boolean;
}

export interface Refusal {
  readonly phase: string;
  readonly index: number;
  readonly code: string;
  readonly message: string;
}

interface Waiter {
  readonly phase: string;
  readonly count: number;
  readonly resolve: () => void;
}

export class WorkBook {
  private readonly items = new Map<string, WorkItem>();
  private readonly finished = new Map<string, number>();
  private readonly refused: Refusal[] = [];
  private readonly waiters = new Set<Waiter>();

  /** Registers an item before (BullMQ: own ids) or right after (pipeline: ids from the reply) it is sent. */
  add(item: WorkItem): WorkItem {
    this.items.set(item.id, item);
    return item;
  }

  get(id: string): WorkItem | undefined {
    return this.items.get(id);
  }

  /** Records the end of an item (the first report counts); ignores ids this book never held. */
  finish(id: string, at: number, ok: boolean): void {
    const item = this.items.get(id);
    if (!item || item.finishedAt !== undefined) return;
    item.finishedAt = at;
    item.ok = ok;
    this.count(item.phase);
  }

  /** A refused submit counts as finished for waiting (nothing more will come of it) and fails the run. */
  refuse(refusal: Refusal): void {
    this.refused.push(refusal);
    this.count(refusal.phase);
  }

  refusals(phase?: string): readonly Refusal[] {
    return phase === undefined ? this.refused : this.refused.filter((r) => r.phase === phase);
  }

  of(phase: string): WorkItem[] {
    return [...this.items.values()].filter((item) => item.phase === phase);
  }

  all(): WorkItem[] {
    return [...this.items.values()];
  }

  finishedCount(phase: string): number {
    return this.finished.get(phase) ?? 0;
  }

  /** Resolves once `count` items of `phase` finished or were refused; rejects after `timeoutMs`. */
  untilFinished(phase: string, count: number, timeoutMs: number): Promise<void> {
    if (this.finishedCount(phase) >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        phase,
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${phase}: only ${this.finishedCount(phase)} of ${count} finished within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private count(phase: string): void {
    const n = (this.finished.get(phase) ?? 0) + 1;
    this.finished.set(phase, n);
    for (const waiter of this.waiters) {
      if (waiter.phase === phase && n >= waiter.count) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
