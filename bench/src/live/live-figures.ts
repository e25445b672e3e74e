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

export interface LiveInput {
  /** When the bench heard each change (by lastSeq) published; the first time, if twice. */
  readonly commits: ReadonlyMap<number, number>;
  /** The measured interval [from, to) of commits; changes heard before (warm-up) or after are left out. */
  readonly window: { readonly from: number; readonly to: number };
  readonly receipts: readonly Receipts[];
  /** Clients 0 … clients-1. */
  readonly clients: number;
  /** The group (filter) of each client, by its index. */
  readonly groupOf: (client: number) => string;
  /** The clients whose filter shows every Task of the run: they must see every change. */
  readonly complete: readonly number[];
}

export interface GroupFigures {
  readonly group: string;
  readonly clients: number;
  /** (client, event) pairs of changes in the window. */
  readonly events: number;
  readonly latencyMs: Summary;
}

export interface LiveFigures {
  /** Changes the leader published in the window. */
  readonly changes: number;
  readonly events: number;
  readonly latencyMs: Summary;
  readonly groups: readonly GroupFigures[];
  /** Changes × complete clients. */
  readonly expected: number;
  readonly missing: number;
  readonly clientsMissing: number;
  /** Some of the missed changes' lastSeq, lowest first. */
  readonly missedSeqs: readonly number[];
  /** Events whose id no message announced: sent from a catch-up (a change the leader did not publish). */
  readonly unannounced: number;
}

const MISSED_SHOWN = 10;

export function liveFigures(input: LiveInput): LiveFigures {
  const { window } = input;
  const indexOfSeq = new Map<number, number>();
  const committedAt: number[] = [];
  const seqs: number[] = [];
  for (const [seq, at] of input.commits) {
    if (at < window.from || at >= window.to) continue;
    indexOfSeq.set(seq, committedAt.length);
    committedAt.push(at);
    seqs.push(seq);
  }
  // One byte per change and complete client: 500 clients × 10,000 changes is 5 MB, a Set of pairs far more.
  const seen = new Map(input.complete.map((client) => [client, new Uint8Array(committedAt.length)]));
  const all: number[] = [];
  const byGroup = new Map<string, number[]>();
  const clientsOf = new Map<string, number>();
  for (let client = 0; client < input.clients; client++) {
    const group = input.groupOf(client);
    clientsOf.set(group, (clientsOf.get(group) ?? 0) + 1);
    byGroup.set(group, []);
  }
  let unannounced = 0;
  for (const r of input.receipts) {
    for (let k = 0; k < r.length; k++) {
      const index = indexOfSeq.get(r.id[k]!);
      if (index === undefined) {
        if (!input.commits.has(r.id[k]!)) unannounced++;
        continue;
      }
      const client = r.client[k]!;
      const ms = r.at[k]! - committedAt[index]!;
      all.push(ms);
      byGroup.get(input.groupOf(client))?.push(ms);
      const bits = seen.get(client);
      if (bits) bits[index] = 1;
    }
  }
  let missing = 0;
  let clientsMissing = 0;
  const missed = new Set<number>();
  for (const bits of seen.values()) {
    const before = missing;
    bits.forEach((bit, index) => {
      if (bit === 1) return;
      missing++;
      missed.add(seqs[index]!);
    });
    if (missing > before) clientsMissing++;
  }
  return {
    changes: committedAt.length,
    events: all.length,
    latencyMs: summarize(all),
    groups: [...byGroup].map(([group, values]) => ({ group, clients: clientsOf.get(group)!, events: values.length, latencyMs: summarize(values) })),
    expected: committedAt.length * seen.size,
    missing,
    clientsMissing,
    missedSeqs: [...missed].sort((a, b) => a - b).slice(0, MISSED_SHOWN),
    unannounced,
  };
}
