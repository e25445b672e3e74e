// The folded states of the Tasks this projector wrote itself, kept in memory so that a batch evolves
// them without loading them again. A cached state is served only at the checkpoint this projector
// committed last: then nothing else can have changed it (the checkpoint only moves forward, by a
// compare-and-set whose row lock serializes replicas; a rebuild swapped in at that very checkpoint
// holds what a replay gives, which is what this projector folded). Any other checkpoint (a restart,
// another replica moved it, an unknown outcome after a failure) empties the cache first, so it never
// serves a state other than the one the stored checkpoint implies.

import { LruCache } from '@vle/event-store';
import { TERMINAL_TASK_STATUSES, taskDecider } from '@vle/domain';
import type { StoredTaskState } from './fold-batch.js';

export interface CacheLookup {
  readonly hits: Map<string, StoredTaskState>;
  /** Tasks whose state must be read from the read model. */
  readonly misses: string[];
}

export class FoldedStateCache {
  private readonly states: LruCache<string, StoredTaskState>;
  /** The checkpoint at which every cached state is exact; undefined when nothing may be served. */
  private exactAt: number | undefined;

  /** `capacity`: summed weight (about one unit per SubTask, taskDecider.weigh); 0 disables it. */
  constructor(capacity: number) {
    this.states = new LruCache(capacity, (stored) => taskDecider.weigh(stored.state));
  }

  get size(): number {
    return this.states.size;
  }

  /** The cached states of `taskIds` for a batch applied on top of `checkpoint`. */
  lookup(taskIds: readonly string[], checkpoint: number): CacheLookup {
    if (this.exactAt !== checkpoint) {
      // An empty cache is exact at any checkpoint: from here on it may fill up again.
      this.states.clear();
      this.exactAt = checkpoint;
    }
    const hits = new Map<string, StoredTaskState>();
    const misses: string[] = [];
    for (const taskId of taskIds) {
      const stored = this.states.get(taskId);
      if (stored) hits.set(taskId, stored);
      else misses.push(taskId);
    }
    return { hits, misses };
  }

  /** The batch from `from` to `to` committed, changing `changed`. */
  committed(from: number, to: number, changed: ReadonlyMap<string, StoredTaskState>): void {
    if (this.exactAt !== from) {
      this.forget();
      return;
    }
    for (const [taskId, stored] of changed) {
      // A finished Task rarely changes again (a person's retry): keep the room for running ones.
      if (TERMINAL_TASK_STATUSES.has(stored.state.status)) this.states.delete(taskId);
      else this.states.set(taskId, stored);
    }
    this.exactAt = to;
  }

  /** The Tasks the retention deleted: their states are gone, at the same checkpoint. */
  drop(taskIds: readonly string[]): void {
    for (const taskId of taskIds) this.states.delete(taskId);
  }

  /** After any failure: what the read model holds is no longer known here. */
  forget(): void {
    this.states.clear();
    this.exactAt = undefined;
  }
}
