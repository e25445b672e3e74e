// How soon the live-stream clients saw each change after its commit (bench `live`). The bench hears
// every LiveChanges message the projection's leader publishes right after it commits a batch, and
// takes that moment as the commit of each change in it (keyed by the Task's lastSeq, which is the
// `id:` of the `task` or `leave` event the change becomes); each client notes when it received an
// event with that id. Both on one monotonic clock (process.hrtime, shared by the bench's threads).

import { summarize, type Summary } from '../stats/summary.js';

/** Milliseconds on the clock every thread of the bench shares (CLOCK_MONOTONIC). */
export const monotonicMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

/** The `task` and `leave` events of some clients, in flat arrays: millions of them stay cheap. */
export interface Receipts {
  readonly length: number;
  readonly client: Uint32Array<ArrayBuffer>;
  readonly id: Float64Array<ArrayBuffer>;
  readonly at: Float64Array<ArrayBuffer>;
}

export class ReceiptLog {
  private length = 0;
  private client = new Uint32Array(1 << 16);
  private id = new Float64Array(1 << 16);
  private at = new Float64Array(1 << 16);

  add(client: number, id: number, at: number): void {
    if (this.length === this.client.length) this.grow();
    this.client[this.length] = client;
    this.id[this.length] = id;
    this.at[this.length] = at;
    this.length++;
  }

  /** What was logged, trimmed to its length (the arrays can be transferred to another thread). */
  take(): Receipts {
    return { length: this.length, client: this.client.slice(0, this.length), id: this.id.slice(0, this.length), at: this.at.slice(0, this.length) };
  }

  private grow(): void {
    const grown = <T extends Uint32Array | Float64Array>(from: T, to: T) => (to.set(from), to);
    const size = this.client.length * 2;
    this.client = grown(this.client, new Uint32Array(size));
    this.id = grown(this.id, new Float64Array(size));
    this.at = grown(this.at, new Float64Array(size));
  }
}

/** A change as the bench heard it: its Task, and when its LiveChanges message came. */
export interface Commit {
  readonly taskId: string;
  readonly at: number;
}

/** One LiveChanges message as heard: it covers the commits (from, seq]. */
export interface Heard {
  readonly at: number;
  readonly from: number;
  readonly seq: number;
}

/** Commits the leader never announced: a message that starts after the one before it ended. */
export interface Gap {
  readonly at: number;
  /** The unannounced commits are (after, upTo]. */
  readonly after: number;
  readonly upTo: number;
}

export function publishedGaps(messages: readonly Heard[]): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < messages.length; i++) {
    const before = messages[i - 1]!;
    const message = messages[i]!;
    if (message.from > before.seq) gaps.push({ at: message.at, after: before.seq, upTo: message.from });
  }
  return gaps;
}

/** The ids of events no message announced (sent from a catch-up): their Tasks are looked up in the log. */
export function unannouncedIds(receipts: readonly Receipts[], commits: ReadonlyMap<number, Commit>): Set<number> {
  const ids = new Set<number>();
  for (const r of receipts) for (let k = 0; k < r.length; k++) if (!commits.has(r.id[k]!)) ids.add(r.id[k]!);
  return ids;
}

export interface LiveInput {
  /** Every change the bench heard published, by lastSeq (the first time, if twice). */
  readonly commits: ReadonlyMap<number, Commit>;
  /** The Tasks of the ids no message announced (unannouncedIds), as the log names them. */
  readonly unannounced: ReadonlyMap<number, string>;
  /** The measured interval [from, to) of commits; changes heard before (warm-up) or after are left out. */
  readonly window: { readonly from: number; readonly to: number };
  readonly receipts: readonly Receipts[];
  /** Clients 0 … clients-1. */
  readonly clients: number;
  /** The group (filter) of each client, by its index. */
  readonly groupOf: (client: number) => string;
  /** The clients whose filter shows every Task of the run: they must see every change. */
  readonly complete: ReadonlySet<number>;
}

export interface GroupFigures {
  readonly group: string;
  readonly clients: number;
  /** (client, change) pairs of changes in the window that the client saw. */
  readonly seen: number;
  readonly latencyMs: Summary;
}

export interface LiveFigures {
  /** Changes the leader published in the window. */
  readonly changes: number;
  /** (client, change) pairs seen: the latencies. */
  readonly seen: number;
  readonly latencyMs: Summary;
  readonly groups: readonly GroupFigures[];
  /** Changes × complete clients. */
  readonly expected: number;
  /** Of those, seen only as a later state of their Task (an event of a higher id: a catch-up read it). */
  readonly superseded: number;
  /** Of those, never seen, neither as such nor as a later state. */
  readonly missing: number;
  readonly clientsMissing: number;
  /** Some of the missed changes' lastSeq, lowest first. */
  readonly missedSeqs: readonly number[];
  /** Events whose id no message announced (a catch-up's), and how many of those ids the log could not name. */
  readonly unannouncedEvents: number;
  readonly unnamedIds: number;
}

const MISSED_SHOWN = 10;

/** A complete client's events of each Task, in the order they came (the order of their ids). */
type SeenByTask = Map<string, { ids: number[]; ats: number[] }>;

/**
 * A complete client sees a change when it gets its Task at that change or later: a catch-up sends the
 * Task as it is, under its newest id, and a change it overtook is never sent on its own. A filtered
 * client is timed on the change's own event only, since a later event of the Task does not say that
 * the filter showed the Task at the earlier change.
 */
export function liveFigures(input: LiveInput): LiveFigures {
  const { window } = input;
  const indexOfSeq = new Map<number, number>();
  const measured: Array<{ seq: number } & Commit> = [];
  for (const [seq, commit] of input.commits) {
    if (commit.at < window.from || commit.at >= window.to) continue;
    indexOfSeq.set(seq, measured.length);
    measured.push({ seq, ...commit });
  }
  const byGroup = new Map<string, number[]>();
  const clientsOf = new Map<string, number>();
  for (let client = 0; client < input.clients; client++) {
    const group = input.groupOf(client);
    clientsOf.set(group, (clientsOf.get(group) ?? 0) + 1);
    byGroup.set(group, []);
  }
  const seen = new Map<number, SeenByTask>([...input.complete].map((client) => [client, new Map()]));
  const all: number[] = [];
  const timed = (client: number, ms: number) => {
    all.push(ms);
    byGroup.get(input.groupOf(client))?.push(ms);
  };
  let unannouncedEvents = 0;
  const unnamed = new Set<number>();
  for (const r of input.receipts) {
    for (let k = 0; k < r.length; k++) {
      const id = r.id[k]!;
      const client = r.client[k]!;
      const taskId = input.commits.get(id)?.taskId ?? input.unannounced.get(id);
      if (!input.commits.has(id)) unannouncedEvents++;
      if (taskId === undefined) unnamed.add(id);
      const byTask = seen.get(client);
      if (byTask) {
        if (taskId === undefined) continue;
        const own = byTask.get(taskId);
        if (own) {
          own.ids.push(id);
          own.ats.push(r.at[k]!);
        } else byTask.set(taskId, { ids: [id], ats: [r.at[k]!] });
        continue;
      }
      const index = indexOfSeq.get(id);
      if (index !== undefined) timed(client, r.at[k]! - measured[index]!.at);
    }
  }
  let superseded = 0;
  let missing = 0;
  let clientsMissing = 0;
  const missed = new Set<number>();
  for (const [client, byTask] of seen) {
    const before = missing;
    for (const change of measured) {
      const events = byTask.get(change.taskId);
      const k = events ? events.ids.findIndex((id) => id >= change.seq) : -1;
      if (k < 0) {
        missing++;
        missed.add(change.seq);
        continue;
      }
      if (events!.ids[k] !== change.seq) superseded++;
      timed(client, events!.ats[k]! - change.at);
    }
    if (missing > before) clientsMissing++;
  }
  return {
    changes: measured.length,
    seen: all.length,
    latencyMs: summarize(all),
    groups: [...byGroup].map(([group, values]) => ({ group, clients: clientsOf.get(group)!, seen: values.length, latencyMs: summarize(values) })),
    expected: measured.length * seen.size,
    superseded,
    missing,
    clientsMissing,
    missedSeqs: [...missed].sort((a, b) => a - b).slice(0, MISSED_SHOWN),
    unannouncedEvents,
    unnamedIds: unnamed.size,
  };
}
