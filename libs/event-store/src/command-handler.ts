// The one command handler (STYLE.md): load the Task, fold, decide, append with the expected last
// subject sequence, retry a bounded number of times on a conflict. Several processes may handle
// commands for one Task at once; the sequence fence, not the cache, is what keeps them correct.

import type { EventLike } from './commit-codec.js';
import { ConcurrencyConflict, hasErrorCode } from './errors.js';
import type { AggregateStore } from './event-store.js';
import { KeyedMutex } from './keyed-mutex.js';
import { LruCache } from './lru-cache.js';

export interface Decider<C, E, S> {
  /** The events a command produces in a state: [] when already applied; throws a rule violation. */
  decide(command: C, state: S): E[];
  evolve(state: S, event: E): S;
  initialState: S;
  /** An estimate of a state's size in memory, in the cache's units (default 1 per state). */
  weigh?(state: S): number;
}

export interface CommandHandlerOptions {
  /** Retries after a WrongExpectedSequence before ConcurrencyConflict. Default 32: each one is cheap. */
  readonly maxConflictRetries?: number;
  /**
   * The summed weight (Decider.weigh) of the folded states kept in memory; 0 disables the cache.
   * Default 50 000: for Tasks, SubTasks (about 50 MB).
   */
  readonly cacheWeight?: number;
}

export interface HandleResult<E, S> {
  /** The events this call appended; [] when the command changed nothing. */
  readonly events: E[];
  readonly state: S;
  /** The Task's last sequence after the call. */
  readonly seq: number;
}

interface Folded<S> {
  readonly state: S;
  readonly seq: number;
}

export class CommandHandler<C extends { taskId: string }, E extends EventLike, S> {
  private readonly maxConflictRetries: number;
  private readonly cache: LruCache<string, Folded<S>>;
  private readonly perTask = new KeyedMutex<string>();

  constructor(
    private readonly store: AggregateStore<E>,
    private readonly decider: Decider<C, E, S>,
    options: CommandHandlerOptions = {},
  ) {
    this.maxConflictRetries = options.maxConflictRetries ?? 32;
    const weigh = decider.weigh?.bind(decider);
    this.cache = new LruCache(options.cacheWeight ?? 50_000, weigh ? (folded) => weigh(folded.state) : undefined);
  }

  handle(command: C): Promise<HandleResult<E, S>> {
    return this.perTask.run(command.taskId, () => this.handleNow(command));
  }

  /**
   * The Task's state as this process knows it: the cached one (perhaps behind the log: states only
   * move forward, so anything it shows as done is done) or, on a miss, the log's.
   */
  async known(taskId: string): Promise<S> {
    return (this.cache.get(taskId) ?? (await this.perTask.run(taskId, () => this.reload(taskId)))).state;
  }

  /** Drops a Task's cached state, e.g. after it was purged. */
  forget(taskId: string): void {
    this.cache.delete(taskId);
  }

  private async handleNow(command: C): Promise<HandleResult<E, S>> {
    const { taskId } = command;
    let folded = this.cache.get(taskId);
    // A cached state may be stale (another process appended): an append is fenced, but a no-op or
    // a refusal decided on it is checked against the Task's last sequence before it is believed.
    let fresh = folded === undefined;
    folded ??= await this.reload(taskId);
    for (let conflicts = 0; ; ) {
      const events = await this.decideOn(command, folded, fresh);
      if (events === undefined) {
        folded = await this.catchUp(taskId, folded);
        fresh = true;
        continue;
      }
      if (events.length === 0) return { events, state: folded.state, seq: folded.seq };
      try {
        const { seq } = await this.store.append(taskId, events, folded.seq);
        const state = events.reduce((s, event) => this.decider.evolve(s, event), folded.state);
        this.cache.set(taskId, { state, seq });
        return { events, state, seq };
      } catch (err) {
        // Whatever happened (a conflict, or a timeout whose outcome is unknown), the cache is suspect.
        this.cache.delete(taskId);
        if (!hasErrorCode(err, 'WRONG_EXPECTED_SEQUENCE')) throw err;
        conflicts++;
        if (conflicts > this.maxConflictRetries) throw new ConcurrencyConflict(taskId, conflicts, err);
        await jitteredBackoff(conflicts);
        // Only the commits appended since: a conflict on a Task of 1,000 SubTasks reads a few
        // commits, not its whole history again.
        folded = await this.catchUp(taskId, folded);
        fresh = true;
      }
    }
  }

  /** The decision, or undefined when it was made on a cached state that turned out stale. */
  private async decideOn(command: C, folded: Folded<S>, fresh: boolean): Promise<E[] | undefined> {
    let events: E[];
    try {
      events = this.decider.decide(command, folded.state);
    } catch (violation) {
      if (fresh || !(await this.isStale(command.taskId, folded))) throw violation;
      return undefined;
    }
    if (events.length === 0 && !fresh && (await this.isStale(command.taskId, folded))) return undefined;
    return events;
  }

  private async reload(taskId: string): Promise<Folded<S>> {
    const { commits, lastSeq } = await this.store.load(taskId);
    let state = this.decider.initialState;
    for (const commit of commits) {
      for (const event of commit.events) state = this.decider.evolve(state, event);
    }
    const folded = { state, seq: lastSeq };
    this.cache.set(taskId, folded);
    return folded;
  }

  /** Folds the commits after `folded` onto it. */
  private async catchUp(taskId: string, folded: Folded<S>): Promise<Folded<S>> {
    const { commits } = await this.store.load(taskId, { afterSeq: folded.seq });
    let state = folded.state;
    for (const commit of commits) {
      for (const event of commit.events) state = this.decider.evolve(state, event);
    }
    const caughtUp = { state, seq: commits.at(-1)?.seq ?? folded.seq };
    this.cache.set(taskId, caughtUp);
    return caughtUp;
  }

  private async isStale(taskId: string, folded: Folded<S>): Promise<boolean> {
    const stale = (await this.store.lastSequence(taskId)) !== folded.seq;
    if (stale) this.cache.delete(taskId);
    return stale;
  }
}

/** Full jitter over 1, 2, 4 ... 64 ms: competing processes spread out instead of colliding again. */
function jitteredBackoff(conflicts: number): Promise<void> {
  const ceiling = Math.min(64, 2 ** (conflicts - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
