// The one command handler (STYLE.md): load the Task, fold, decide, append with the expected last
// subject sequence, retry a bounded number of times on a conflict. Several processes may handle
// commands for one Task at once; the sequence fence, not the cache, is what keeps them correct.
//
// Group commit: the commands for one Task that wait in this process while its previous append is in
// flight (the four results of a Task's parallel jobs, say) are decided in turn, each on the state the
// ones before it left, and appended as ONE commit under one expected sequence. Each command still gets
// its own answer: its events, or its own refusal; a refused command adds nothing to the commit. A
// conflict or a failed append sends the whole group round again, so no command is half applied.
//
// Tracing: each append is a span in the trace of the first command of the group that added events,
// linked to the others'; the commit carries that span's trace context (the store writes it), and the
// jobs it queues are published inside it (onCommitted), so a job's trace is its commit's.

import { appendConflicts, appends } from '@vle/metrics';
import { Attr, context, inSpan, linkTo, SpanKind, type Context } from '@vle/tracing';
import type { EventLike } from './commit-codec.js';
import { ConcurrencyConflict, hasErrorCode } from './errors.js';
import type { AggregateStore } from './event-store.js';
import { KeyedMutex } from './keyed-mutex.js';
import { LruCache } from './lru-cache.js';

export interface Decider<C, E, S> {
  /** The events a command produces in a state: [] when already applied; throws a rule violation. */
  decide(command: C, state: S): E[];
  evolve(state: S, event: E): S;
  /** The fold of one commit's events; default: evolve each in turn. */
  evolveAll?(state: S, events: readonly E[]): S;
  initialState: S;
  /** An estimate of a state's size in memory, in the cache's units (default 1 per state). */
  weigh?(state: S): number;
  /**
   * Whether a command creates its aggregate. Such a command, for an aggregate this process has not
   * cached, is decided on the initial state and appended with expected sequence 0, without reading
   * the log first: the fence refuses it if the aggregate exists, and it is then decided again on the
   * stored state (an idempotent repeat answers with what exists).
   */
  isCreation?(command: C): boolean;
}

export interface CommandHandlerOptions<E extends EventLike = EventLike> {
  /** Retries after a WrongExpectedSequence before ConcurrencyConflict. Default 32: each one is cheap. */
  readonly maxConflictRetries?: number;
  /**
   * The summed weight (Decider.weigh) of the folded states kept in memory; 0 disables the cache.
   * Default 50 000: for Tasks, SubTasks (about 50 MB).
   */
  readonly cacheWeight?: number;
  /** Most commands appended as one commit. Default 64. */
  readonly maxGroup?: number;
  /**
   * Called after every commit this handler appended, before its commands are answered (e.g. to
   * publish the jobs it queued), inside the append's span. Must not throw; what it starts is not awaited.
   */
  readonly onCommitted?: (taskId: string, seq: number, events: readonly E[]) => void;
}

export interface HandleResult<E, S> {
  /** The events this call appended; [] when the command changed nothing. */
  readonly events: E[];
  /** The Task's state after the commit that holds these events (or as found, for a no-op). */
  readonly state: S;
  /** The Task's last sequence after the call. */
  readonly seq: number;
}

interface Folded<S> {
  readonly state: S;
  readonly seq: number;
}

interface Pending<C, E, S> {
  readonly command: C;
  /** The trace context the command was handled in. */
  readonly context: Context;
  resolve(result: HandleResult<E, S>): void;
  reject(error: unknown): void;
}

/** One command's decision within a group: its events, or the refusal it gets. */
type Decision<E> = { readonly events: E[] } | { readonly refusal: unknown };

export class CommandHandler<C extends { taskId: string; type?: string }, E extends EventLike, S> {
  private readonly maxConflictRetries: number;
  private readonly maxGroup: number;
  private readonly onCommitted: CommandHandlerOptions<E>['onCommitted'];
  private readonly cache: LruCache<string, Folded<S>>;
  private readonly perTask = new KeyedMutex<string>();
  /** Commands waiting per Task; a Task has an entry only while its queue is being drained. */
  private readonly waiting = new Map<string, Pending<C, E, S>[]>();

  constructor(
    private readonly store: AggregateStore<E>,
    private readonly decider: Decider<C, E, S>,
    options: CommandHandlerOptions<E> = {},
  ) {
    this.maxConflictRetries = options.maxConflictRetries ?? 32;
    this.maxGroup = Math.max(1, options.maxGroup ?? 64);
    this.onCommitted = options.onCommitted;
    const weigh = decider.weigh?.bind(decider);
    this.cache = new LruCache(options.cacheWeight ?? 50_000, weigh ? (folded) => weigh(folded.state) : undefined);
  }

  handle(command: C): Promise<HandleResult<E, S>> {
    return new Promise((resolve, reject) => {
      const { taskId } = command;
      const pending = { command, context: context.active(), resolve, reject };
      const queue = this.waiting.get(taskId);
      if (queue) {
        queue.push(pending);
        return;
      }
      const started = [pending];
      this.waiting.set(taskId, started);
      void this.perTask.run(taskId, () => this.drain(taskId, started));
    });
  }

  /**
   * The Task's state as this process knows it: the cached one (perhaps behind the log: states only
   * move forward, so anything it shows as done is done) or, on a miss, the log's.
   */
  async known(taskId: string): Promise<S> {
    return (this.cache.get(taskId) ?? (await this.perTask.run(taskId, () => this.reload(taskId)))).state;
  }

  /** The trace of the command that created the Task (its first commit's), for a later command to link to. */
  firstCommitTrace(taskId: string) {
    return this.store.firstCommitTrace(taskId);
  }

  /** Drops a Task's cached state, e.g. after it was purged. */
  forget(taskId: string): void {
    this.cache.delete(taskId);
  }

  /** Handles a Task's waiting commands, a group per append, until none is left. Never throws. */
  private async drain(taskId: string, queue: Pending<C, E, S>[]): Promise<void> {
    try {
      while (queue.length > 0) {
        let folded = this.cache.get(taskId);
        let fresh = folded === undefined;
        if (folded === undefined) {
          const creation = this.decider.isCreation?.(queue[0]!.command) === true;
          // Not fresh: a no-op or refusal decided on the assumed-absent state is checked first.
          folded = creation ? { state: this.decider.initialState, seq: 0 } : await this.loadOrReject(taskId, queue);
          fresh = !creation;
          if (folded === undefined) continue;
        } else {
          // Commands sent in the same turn (the results of one fetch of jobs) join this group.
          await Promise.resolve();
        }
        queue.unshift(...(await this.handleGroup(taskId, queue.splice(0, this.maxGroup), folded, fresh)));
      }
    } finally {
      // No await between the last look at the queue and this: a later handle() starts a new drain.
      this.waiting.delete(taskId);
    }
  }

  /** The Task's state from the log; on failure every waiting command gets the error. */
  private async loadOrReject(taskId: string, queue: Pending<C, E, S>[]): Promise<Folded<S> | undefined> {
    try {
      return await this.reload(taskId);
    } catch (error) {
      for (const pending of queue.splice(0)) pending.reject(error);
      return undefined;
    }
  }

  /**
   * Decides and appends one group, settling every command in it; returns the commands to be handled
   * again (the second half of a group too large for one commit), which were not settled.
   */
  private async handleGroup(taskId: string, group: Pending<C, E, S>[], start: Folded<S>, startFresh: boolean): Promise<Pending<C, E, S>[]> {
    let folded = start;
    let fresh = startFresh;
    try {
      for (let conflicts = 0; ; ) {
        const { decisions, events, state } = this.decideAll(group, folded.state);
        // A no-op or a refusal decided on a cached state that may be behind the log is only believed
        // once the Task's last sequence says the state is current.
        // When something is appended, the fence proves the state current for every decision.
        const doubtful = decisions.some((d) => 'refusal' in d || d.events.length === 0);
        if (doubtful && events.length === 0 && !fresh && (await this.isStale(taskId, folded))) {
          folded = await this.catchUp(taskId, folded);
          fresh = true;
          continue;
        }
        if (events.length === 0) {
          settle(group, decisions, folded);
          return [];
        }
        try {
          const committed = await this.append(taskId, events, state, folded.seq, group.filter((_, i) => contributes(decisions[i]!)));
          settle(group, decisions, committed);
          return [];
        } catch (err) {
          // Whatever happened (a conflict, or a timeout whose outcome is unknown), the cache is suspect.
          this.cache.delete(taskId);
          // Commands that fit a commit alone but not together (nothing was stored): the first half
          // now, the second half goes round again.
          if (hasErrorCode(err, 'COMMIT_TOO_LARGE') && group.length > 1) {
            const rest = group.splice(Math.ceil(group.length / 2));
            return [...(await this.handleGroup(taskId, group, folded, fresh)), ...rest];
          }
          if (!hasErrorCode(err, 'WRONG_EXPECTED_SEQUENCE')) throw err;
          appendConflicts.inc();
          conflicts++;
          if (conflicts > this.maxConflictRetries) throw new ConcurrencyConflict(taskId, conflicts, err);
          await jitteredBackoff(conflicts);
          // Only the commits appended since: a conflict on a Task of 1,000 SubTasks reads a few
          // commits, not its whole history again.
          folded = await this.catchUp(taskId, folded);
          fresh = true;
        }
      }
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return [];
    }
  }

  /**
   * Appends one commit in a span of the trace of its first command (`by`: the commands whose events
   * it holds), and tells onCommitted inside that span: the jobs the commit queues carry its trace.
   */
  private append(taskId: string, events: E[], state: S, expectedSeq: number, by: readonly Pending<C, E, S>[]): Promise<Folded<S>> {
    const [first, ...others] = by;
    const commands = by.map((p) => p.command.type ?? '?').join(',');
    const attributes = { [Attr.taskId]: taskId, [Attr.commitCommands]: commands, [Attr.eventTypes]: [...new Set(events.map((e) => e.type))].join(','), [Attr.messagingSystem]: 'nats' };
    const links = others.map((p) => linkTo(p.context, { [Attr.command]: p.command.type ?? '?' }));
    return inSpan({ name: `append ${this.store.streamName}`, kind: SpanKind.PRODUCER, parent: first?.context, links, attributes }, async (span) => {
      const { seq } = await this.store.append(taskId, events, expectedSeq);
      span.setAttribute(Attr.commitSeq, seq);
      appends.inc();
      const committed = { state, seq };
      this.cache.set(taskId, committed);
      this.onCommitted?.(taskId, seq, events);
      return committed;
    });
  }

  /** Decides each command on the state the ones before it left; refused ones add nothing. */
  private decideAll(group: readonly Pending<C, E, S>[], initial: S): { decisions: Decision<E>[]; events: E[]; state: S } {
    let state = initial;
    const events: E[] = [];
    const decisions = group.map(({ command }): Decision<E> => {
      try {
        const decided = this.decider.decide(command, state);
        if (decided.length > 0) {
          state = this.fold(state, decided);
          events.push(...decided);
        }
        return { events: decided };
      } catch (refusal) {
        return { refusal };
      }
    });
    return { decisions, events, state };
  }

  private fold(state: S, events: readonly E[]): S {
    if (this.decider.evolveAll) return this.decider.evolveAll(state, events);
    return events.reduce((s, event) => this.decider.evolve(s, event), state);
  }

  private async reload(taskId: string): Promise<Folded<S>> {
    const { commits, lastSeq } = await this.store.load(taskId);
    let state = this.decider.initialState;
    for (const commit of commits) state = this.fold(state, commit.events);
    const folded = { state, seq: lastSeq };
    this.cache.set(taskId, folded);
    return folded;
  }

  /** Folds the commits after `folded` onto it. */
  private async catchUp(taskId: string, folded: Folded<S>): Promise<Folded<S>> {
    const { commits } = await this.store.load(taskId, { afterSeq: folded.seq });
    let state = folded.state;
    for (const commit of commits) state = this.fold(state, commit.events);
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

/** Whether a command's decision adds events to the commit. */
function contributes<E>(decision: Decision<E>): boolean {
  return 'events' in decision && decision.events.length > 0;
}

function settle<C, E, S>(group: readonly Pending<C, E, S>[], decisions: readonly Decision<E>[], folded: Folded<S>): void {
  group.forEach((pending, i) => {
    const decision = decisions[i]!;
    if ('refusal' in decision) pending.reject(decision.refusal);
    else pending.resolve({ events: decision.events, state: folded.state, seq: folded.seq });
  });
}

/** Full jitter over 1, 2, 4 ... 64 ms: competing processes spread out instead of colliding again. */
function jitteredBackoff(conflicts: number): Promise<void> {
  const ceiling = Math.min(64, 2 ** (conflicts - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
